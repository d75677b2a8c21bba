import AxeBuilder from '@axe-core/playwright';
import { TagUserCommand } from '@aws-sdk/client-iam';
import { devices, type Page } from '@playwright/test';
import { TOTP, URI } from 'otpauth';
import { consoleIam } from '../infra/local/console';
import { expect, test } from './fixtures';
import { addFidoKey, createTestUser, env, listDevices, type TestUser } from './support/iam';
import { codePair, enterCodes, signInWithKeys } from './support/enroll';
import { recordCookies, recordSecret } from './support/seen-secrets';
import { insertTagCategory } from './support/db';

// A phone in Chromium: Pixel 7's viewport, touch and user agent (the project's browser stays Debian's Chromium).
const { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch } = devices['Pixel 7'];
test.use({ viewport, userAgent, deviceScaleFactor, isMobile, hasTouch });

const userParam = (user: TestUser) => encodeURIComponent(`${user.accountId}/${user.userName}`);

/** Every URL the browser asks for and every body it posts, to prove the seed travels in neither. */
function watchRequests(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (request) => sent.push(request.url(), request.postData() ?? ''));
  return sent;
}

async function expectNoAxeViolations(page: Page) {
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

/** Opens the authenticator-app page (checking its response may not be cached) and creates the device. */
async function startOnPage(page: Page, user: TestUser) {
  const response = await page.goto(`/enroll/virtual?user=${userParam(user)}`);
  expect(response?.headers()['cache-control']).toMatch(/\bno-store\b/);
  // The server action's answer is what carries the key, the QR code and the link: it may not be cached either.
  const actionAnswer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/enroll/virtual');
  await page.getByRole('button', { name: 'Create and show the QR code' }).click();
  await expect(page.getByRole('img', { name: /QR code to add/ })).toBeVisible();
  expect((await actionAnswer).headers()['cache-control']).toMatch(/\bno-store\b/);
  const manualKey = (await page.getByTestId('manual-key').innerText()).replace(/\s/g, '');
  recordSecret('seed', manualKey);
  await recordCookies(page.context());
  return manualKey;
}

test('on a phone, "Add to authenticator app" carries the shown key; its codes turn MFA on and the done page asks for a backup', async ({ page }) => {
  const user = await createTestUser('phone');
  const sent = watchRequests(page);
  await signInWithKeys(page, user);
  const manualKey = await startOnPage(page, user);

  const link = page.getByRole('link', { name: 'Add to authenticator app' });
  await expect(link).toBeVisible();
  // Prominent: first, above the QR code, and nearly as wide as the screen.
  const [linkBox, qrBox] = [await link.boundingBox(), await page.getByRole('img', { name: /QR code to add/ }).boundingBox()];
  expect(linkBox!.y + linkBox!.height).toBeLessThanOrEqual(qrBox!.y);
  expect(linkBox!.width).toBeGreaterThan(0.75 * page.viewportSize()!.width);

  await expectNoAxeViolations(page);

  const href = (await link.getAttribute('href'))!;
  expect(href.startsWith('otpauth://totp/')).toBe(true);
  const totp = URI.parse(href) as TOTP;
  expect(totp).toBeInstanceOf(TOTP);
  recordSecret('seed', totp.secret.base32);
  expect(totp.secret.base32).toBe(manualKey);
  expect([totp.issuer, totp.label]).toEqual(['AWS acme-dev', `${user.userName}@acme-dev`]);
  expect([totp.algorithm, totp.digits, totp.period]).toEqual(['SHA1', 6, 30]);

  // The phone's app, given the link, makes the codes.
  await enterCodes(page, codePair(totp.secret.base32));
  await page.getByRole('button', { name: 'Turn on MFA' }).click();
  await expect(page.getByRole('heading', { name: `MFA is on for ${user.userName}` })).toBeVisible();
  await expect(page).toHaveURL(/\/enroll\/done\?type=virtual&/);
  await expect(page.getByRole('heading', { name: 'Done. Next: add a backup device' })).toBeVisible();
  const allowance = page.getByTestId('device-allowance');
  await expect(allowance).toHaveAttribute('data-level', 'recommended');
  await expect(allowance).toContainText(`${user.userName} has 1 of the 8 MFA devices AWS allows.`);
  await expect(allowance).toContainText('Only one device: if you lose it, you cannot sign in');
  await expect(page.getByRole('link', { name: 'Add a backup device' })).toHaveAttribute('href', `/enroll?user=${userParam(user)}`);
  expect((await listDevices(user)).length).toBe(1);
  await expectNoAxeViolations(page);

  // The member's overview says the same.
  await page.goto('/');
  const card = page.getByTestId('iam-user');
  await expect(card.getByTestId('device-allowance')).toContainText(`${user.userName} has 1 of the 8 MFA devices AWS allows.`);
  await expect(card.getByRole('link', { name: /^Add a backup device/ })).toBeVisible();

  // The seed never travelled in a URL or a request body (the link is read by the phone's app, not sent to us).
  const seedLeaks = sent.filter((s) => s.includes(manualKey) || s.toLowerCase().includes(manualKey.toLowerCase()));
  expect(seedLeaks).toEqual([]);
});

test.describe('on a desktop', () => {
  test.use({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false });

  test('the QR code comes first and the link is a secondary option beside it', async ({ page }) => {
    const user = await createTestUser('desk');
    await signInWithKeys(page, user);
    const manualKey = await startOnPage(page, user);
    const link = page.getByRole('link', { name: 'Add to authenticator app' });
    await expect(link).toBeVisible();
    const [linkBox, qrBox] = [await link.boundingBox(), await page.getByRole('img', { name: /QR code to add/ }).boundingBox()];
    expect(linkBox!.x).toBeGreaterThanOrEqual(qrBox!.x + qrBox!.width);
    expect(linkBox!.width).toBeLessThan(400);
    expect((URI.parse((await link.getAttribute('href'))!) as TOTP).secret.base32).toBe(manualKey);
    await page.getByRole('button', { name: 'Cancel this setup' }).click();
    await expect(page.getByRole('button', { name: 'Create and show the QR code' })).toBeVisible();
  });
});

test('a security key found by detection ends on the same done page, with the same next steps', async ({ page }) => {
  const user = await createTestUser('phfido');
  await signInWithKeys(page, user);
  await page.goto(`/enroll/fido?user=${userParam(user)}`);
  await page.getByRole('button', { name: 'Check for my key' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Looking for a new security key' })).toBeVisible();
  await addFidoKey(user, 'yubikey');
  await expect(page.getByRole('heading', { name: `MFA is on for ${user.userName}` })).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(/\/enroll\/done\?type=fido&/);
  await expect(page.getByText('AWS confirmed the new device.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Done. Next: add a backup device' })).toBeVisible();
  await expect(page.getByTestId('device-allowance')).toHaveAttribute('data-level', 'recommended');
  await expect(page.getByRole('link', { name: 'Add a backup device' })).toBeVisible();
});

const TAG_KEY = 'e2e-phone';

/** A category for exactly this user (by a tag only it carries) that requires two devices of any type. */
async function requireTwoDevices(user: TestUser): Promise<() => Promise<void>> {
  const iam = await consoleIam({ motoUrl: env('E2E_MOTO_URL'), accountId: user.accountId, groundTruth: env('E2E_GROUND_TRUTH') });
  try {
    await iam.send(new TagUserCommand({ UserName: user.userName, Tags: [{ Key: TAG_KEY, Value: user.userName }] }));
  } finally {
    iam.destroy();
  }
  return insertTagCategory({
    name: `E2E two devices ${user.userName}`,
    tagKey: TAG_KEY,
    tagValue: user.userName,
    allowed: ['virtual', 'hardware', 'fido'],
    minDevices: 2,
    deadline: new Date(Date.now() + 30 * 86_400_000),
    cohort: 'e2e-phone',
    by: 'e2e/phone.spec.ts',
  });
}

test('when the category requires two devices, one device gets the stronger advice', async ({ page }) => {
  test.setTimeout(120_000);
  const user = await createTestUser('phtwo');
  const removeCategory = await requireTwoDevices(user);
  try {
    await addFidoKey(user, 'only-key');
    await signInWithKeys(page, user);
    // The category matches on a tag, read from the stored row; the IAM change events store the tag shortly after
    // TagUser (an earlier event, CreateUser, may have stored the row without it), so the page is reloaded until then.
    const allowance = page.getByTestId('device-allowance');
    await expect(async () => {
      await page.goto(`/enroll/done?type=fido&user=${userParam(user)}`);
      await expect(allowance).toHaveAttribute('data-level', 'required', { timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    await expect(allowance).toContainText('A backup device is required');
    await expect(allowance).toContainText('Your category requires 2 devices of an allowed type: add a backup device now.');
    await page.goto('/');
    await expect(page.getByTestId('iam-user').getByTestId('device-allowance')).toHaveAttribute('data-level', 'required');
    await expect(page.getByTestId('iam-user').getByTestId('next-step')).toHaveText(/^Add a backup device/);
  } finally {
    await removeCategory();
  }
});

test('with 8 devices, the enroll buttons are disabled and say why', async ({ page }) => {
  const user = await createTestUser('pheight');
  for (let i = 0; i < 8; i++) await addFidoKey(user, `key${i}`);
  await signInWithKeys(page, user);
  const why = `${user.userName} already has 8 MFA devices, the most AWS allows. Remove one you no longer use on My devices to add another.`;

  const card = page.getByTestId('iam-user');
  const button = card.getByRole('button', { name: /^Add another device/ });
  await expect(button).toBeDisabled();
  await expect(button).toHaveAccessibleDescription(why);
  await expectNoAxeViolations(page);

  await page.goto('/devices');
  await expect(page.getByRole('button', { name: /^Add another device/ })).toBeDisabled();
  await expect(page.getByTestId('enroll-disabled-reason')).toHaveText(why);

  await page.goto(`/enroll/done?type=fido&user=${userParam(user)}`);
  await expect(page.getByTestId('device-allowance')).toContainText(`${user.userName} has 8 of the 8 MFA devices AWS allows.`);
  await expect(page.getByTestId('enroll-next')).toBeDisabled();
  // Described by the advice just above it, which says why.
  await expect(page.getByTestId('enroll-next')).toHaveAccessibleDescription(`${user.userName} has 8 of the 8 MFA devices AWS allows. ${why}`);

  await page.goto(`/enroll?user=${userParam(user)}`);
  await expect(page.getByTestId('device-allowance')).toContainText(why);
  await expect(page.getByRole('link', { name: 'Authenticator app' })).toHaveCount(0);
  await expect(page.getByTestId('kind-unavailable').first()).toContainText('not available');
});
