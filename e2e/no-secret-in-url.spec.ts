import type { BrowserContext } from '@playwright/test';
import { expect, test } from './fixtures';
import { createTestUser } from './support/iam';
import { signInWithKeys } from './support/enroll';

// Before hydration, or with JavaScript off, a form is submitted by the browser itself. Without method="post" that
// is a GET with every field in the query string: the secret access key or a code would land in the address bar, the
// history and every access log on the way. Every URL the browser requests is watched here, with JavaScript off.
function watchUrls(context: BrowserContext): { urls: string[]; posts: string[] } {
  const seen = { urls: [] as string[], posts: [] as string[] };
  context.on('request', (request) => {
    seen.urls.push(request.url());
    if (request.method() === 'POST') seen.posts.push(new URL(request.url()).pathname);
  });
  return seen;
}

test('without JavaScript, the access-key sign-in posts: the secret access key never lands in a URL', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const seen = watchUrls(context);
  const page = await context.newPage();
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  await page.goto('/signin');
  await page.getByLabel('Access key ID').fill('AKIAIOSFODNN7EXAMPLE');
  await page.getByLabel('Secret access key').fill(secret);
  await page.getByRole('button', { name: 'Sign in with access keys' }).click();
  await page.waitForLoadState('load');
  expect(seen.posts).toContain('/signin');
  expect(page.url()).not.toContain('EXAMPLEKEY');
  for (const url of seen.urls) expect(url).not.toMatch(/EXAMPLEKEY|secretAccessKey/);
  await context.close();
});

test('without JavaScript, an enrollment form posts: the codes never land in a URL', async ({ page, browser, baseURL }) => {
  const user = await createTestUser('nojs');
  await signInWithKeys(page, user);
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false, storageState: await page.context().storageState() });
  const seen = watchUrls(context);
  const noJs = await context.newPage();
  await noJs.goto(`/enroll/hardware?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`);
  await noJs.getByLabel('Serial number').fill('GAHT12345678');
  await noJs.getByLabel('First code').fill('918273');
  await noJs.getByLabel('Second code').fill('564738');
  await noJs.getByRole('button', { name: 'Turn on MFA with this token' }).click();
  await noJs.waitForLoadState('load');
  expect(seen.posts).toContain('/enroll/hardware');
  for (const url of seen.urls) expect(url).not.toMatch(/918273|564738|code1|code2/);
  await context.close();
});
