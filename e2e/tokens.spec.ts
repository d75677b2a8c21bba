import { readFileSync } from 'node:fs';
import { hardwareTokenSchema } from '../infra/local/ground-truth';
import { consoleIam } from '../infra/local/console';
import { removeTestUser } from '../test-support/iam-cleanup';
import { expect, test } from './fixtures';
import { createTestUser, env, listDevices, TEST_ACCOUNT, type TestUser } from './support/iam';
import { codePair, enterCodes, signInWithKeys } from './support/enroll';
import { ensureInventory } from './support/inventory';

async function removeIamUser(user: TestUser) {
  const iam = await consoleIam({ motoUrl: env('E2E_MOTO_URL'), accountId: user.accountId, groundTruth: env('E2E_GROUND_TRUTH') });
  try {
    await removeTestUser(iam, user.userName);
  } finally {
    iam.destroy();
  }
}

test('an admin issues a token, the member finds its serial filled in and enrolls it, and the register sees it enrolled', async ({ page, signInAs, browser, baseURL }) => {
  test.setTimeout(180_000);
  // The last spare: enrollment.spec enrolls the first one.
  const spare = hardwareTokenSchema
    .array()
    .parse(JSON.parse(readFileSync(env('E2E_HARDWARE_TOKENS'), 'utf8')))
    .filter((t) => !t.userName)
    .at(-1)!;
  expect(spare).toBeDefined();
  const user = await createTestUser('token');
  const member = await browser.newContext({ baseURL });
  try {
    await signInAs('carol@example.com');
    // The enrollment in the portal updates the stored inventory only once there is one (lib/enrollment/freshness).
    await ensureInventory(page);

    await page.goto('/admin/tokens');
    const add = page.getByRole('form', { name: 'Add a token' });
    await add.getByLabel('Serial number').fill(spare.serial.toLowerCase());
    await add.getByLabel('Model').fill('SafeNet OTP 110');
    await add.getByLabel('Issued to: account').selectOption(TEST_ACCOUNT);
    await add.getByLabel('Issued to: IAM user name').fill(user.userName);
    await add.getByRole('button', { name: 'Add token' }).click();
    await expect(add.getByRole('status')).toHaveText(`Token ${spare.serial} added, issued to ${user.userName}.`);
    await expect(add.getByLabel('Serial number')).toHaveValue('');

    // The same serial again is refused on its field.
    await add.getByLabel('Serial number').fill(spare.serial);
    await add.getByLabel('Model').fill('SafeNet OTP 110');
    await add.getByRole('button', { name: 'Add token' }).click();
    await expect(add.getByText(`Token ${spare.serial} is already in the register`)).toBeVisible();

    const waiting = page.getByTestId('issued-not-enrolled').locator(`tr[data-serial="${spare.serial}"]`);
    await expect(waiting).toContainText(user.userName);
    await expect(waiting.getByRole('link', { name: new RegExp(user.userName) })).toHaveAttribute('href', `/admin/users/${TEST_ACCOUNT}/${user.userName}`);
    await expect(page.locator(`[data-testid="token-row"][data-serial="${spare.serial}"]`)).toHaveAttribute('data-status', 'issued');

    const memberPage = await member.newPage();
    await signInWithKeys(memberPage, user);
    await memberPage.goto(`/enroll/hardware?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`);
    await expect(memberPage.getByLabel('Serial number')).toHaveValue(spare.serial);
    await expect(memberPage.getByTestId('issued-token')).toContainText(`Token ${spare.serial} was issued to you on `);
    await enterCodes(memberPage, codePair(spare.secretBase32));
    await memberPage.getByRole('button', { name: 'Turn on MFA with this token' }).click();
    await expect(memberPage.getByRole('heading', { name: `MFA is on for ${user.userName}` })).toBeVisible();
    expect(await listDevices(user)).toEqual([spare.serial]);

    // A member is refused the register.
    expect((await memberPage.goto('/admin/tokens'))!.status()).toBe(403);

    await page.reload();
    await expect(page.getByTestId('issued-not-enrolled').locator(`tr[data-serial="${spare.serial}"]`)).toHaveCount(0);
    const row = page.locator(`[data-testid="token-row"][data-serial="${spare.serial}"]`);
    await expect(row).toHaveAttribute('data-status', 'enrolled');

    // Removing asks first, then the row is gone.
    await row.getByRole('button', { name: `Remove ${spare.serial}` }).click();
    await page.getByRole('button', { name: `Yes, remove ${spare.serial}` }).click();
    await expect(page.getByRole('main').getByRole('status').filter({ hasText: `Token ${spare.serial} removed from the register.` })).toBeVisible();
    await expect(row).toHaveCount(0);
    // Still enabled in AWS, so now it is a device the register does not know.
    await expect(page.getByTestId('not-registered').locator(`tr[data-serial="${spare.serial}"]`)).toContainText(user.userName);
  } finally {
    await member.close();
    await removeIamUser(user);
  }
});

test('a member gets 403 from the register', async ({ page, signInAs }) => {
  await signInAs('alice@example.com');
  expect((await page.goto('/admin/tokens'))!.status()).toBe(403);
});

test('on a phone the register and the report scroll inside their own boxes, not the page', async ({ page, signInAs }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  test.setTimeout(150_000);
  await signInAs('carol@example.com');
  // With an inventory the report lists enrolled tokens too: the widest the page gets.
  await ensureInventory(page);
  await expect(page.getByRole('heading', { name: 'Register', exact: true, level: 2 })).toBeVisible();
  await expect(page.getByTestId('tokens-total')).toBeVisible();
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
});
