import { expect, groundTruth, person, test } from './fixtures';

/**
 * Issue 11 §2: the pen test's `/signin?callbackUrl=/%09/evil.example/` sent signed-in people and people who had just
 * signed in with access keys to evil.example, and the `%0a`/`%0d` forms answered 500. Query strings are written raw.
 */
const HOSTILE = [
  '/%09/evil.example/',
  '/%0a/evil.example/',
  '/%0d/evil.example/',
  '/%0d%0a/evil.example/',
  '%09//evil.example/',
  '/%09/%09/evil.example/',
  '/%5Cevil.example/',
  '%2F%2Fevil.example/',
  '//evil.example/',
  '/.//evil.example/',
  'https://evil.example/',
  'https:%2F%2Fevil.example/',
  'http://user@evil.example/',
  '/%00/evil.example/',
];

function staysHome(location: string | undefined, base: string) {
  if (location === undefined) return;
  expect(location).not.toMatch(/[\r\n\t]/);
  expect(new URL(location, base).origin, location).toBe(new URL(base).origin);
}

test.describe('return addresses stay on the portal', () => {
  test('over HTTP: no form sends a signed-in person off the portal or answers 5xx; nor a stranger', async ({ page, playwright, baseURL, signInAs }) => {
    const anonymous = await playwright.request.newContext({ baseURL });
    for (const value of HOSTILE) {
      const res = await anonymous.get(`/signin?callbackUrl=${value}`, { maxRedirects: 0 });
      expect(res.status(), value).toBe(200);
    }
    await anonymous.dispose();

    await signInAs('alice@example.com');
    for (const value of HOSTILE) {
      const res = await page.request.get(`/signin?callbackUrl=${value}`, { maxRedirects: 0 });
      expect(res.status(), value).toBeLessThan(500);
      expect([303, 307, 308], value).toContain(res.status());
      staysHome(res.headers()['location'], baseURL!);
    }
  });

  test('a signed-in person opening the pen test\'s link stays on the portal', async ({ page, baseURL, signInAs }) => {
    await signInAs('alice@example.com');
    for (const value of ['/%09/evil.example/', '/%0a/evil.example/', '/%0d/evil.example/']) {
      await page.goto(`/signin?callbackUrl=${value}`);
      expect(new URL(page.url()).origin, value).toBe(new URL(baseURL!).origin);
    }
  });

  test('after signing in with access keys from the pen test\'s link, the person is home', async ({ page, baseURL }) => {
    const key = groundTruth().accessKeys.find((k) => k.userName === 'alice')!;
    await page.goto('/signin?callbackUrl=/%09/evil.example/');
    await page.getByLabel('Access key ID').fill(key.accessKeyId);
    await page.getByLabel('Secret access key').fill(key.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in with access keys' }).click();
    await expect(page.getByRole('heading', { name: 'My IAM users', level: 1 })).toBeVisible();
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
  });

  test('after company sign-in from the pen test\'s link, the person is home', async ({ page, baseURL, signIn }) => {
    await signIn.goto('/signin?callbackUrl=/%0d/evil.example/');
    await signIn.withIdp('bob@example.com', person('bob@example.com').password);
    await expect(page.getByRole('heading', { name: 'My IAM users', level: 1 })).toBeVisible();
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
  });
});
