import type { Page } from '@playwright/test';
import { expect } from '@playwright/test';
import { totpCode } from '../../infra/local/totp';
import type { TestUser } from './iam';
import { recordCookies, recordSecret } from './seen-secrets';

/** Signs in with the test user's own access keys. */
export async function signInWithKeys(page: Page, user: Pick<TestUser, 'accessKeyId' | 'secretAccessKey'>) {
  await page.goto('/signin');
  await page.getByLabel('Access key ID').fill(user.accessKeyId);
  recordSecret('secret-access-key', user.secretAccessKey);
  await page.getByLabel('Secret access key').fill(user.secretAccessKey);
  await page.getByRole('button', { name: 'Sign in with access keys' }).click();
  await expect(page.getByRole('heading', { name: 'My IAM users', level: 1 })).toBeVisible();
  await recordCookies(page.context());
}

/** Two consecutive codes as a phone whose clock is `stepOffset` steps off would show them (code1 = previous, code2 = current). */
export function codePair(secret: string, stepOffset = 0): [string, string] {
  const now = Date.now();
  const codes: [string, string] = [totpCode(secret, now, stepOffset - 1), totpCode(secret, now, stepOffset)];
  for (const code of codes) recordSecret('code', code);
  return codes;
}

export async function enterCodes(page: Page, [code1, code2]: [string, string]) {
  await page.getByLabel('First code').fill(code1);
  await page.getByLabel('Second code').fill(code2);
}

/** Starts a virtual enrollment on the page and returns the setup key shown (spaces removed). */
export async function startVirtual(page: Page, user: TestUser, deviceName?: string): Promise<string> {
  await page.goto(`/enroll/virtual?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`);
  if (deviceName) await page.getByLabel('Device name').fill(deviceName);
  await page.getByRole('button', { name: 'Create and show the QR code' }).click();
  await expect(page.getByRole('img', { name: /QR code to add/ })).toBeVisible();
  const key = (await page.getByTestId('manual-key').innerText()).replace(/\s/g, '');
  recordSecret('seed', key);
  await recordCookies(page.context());
  return key;
}

/** A whole successful virtual enrollment; returns the setup key (the test's stand-in for the phone). */
export async function enrollVirtual(page: Page, user: TestUser, deviceName?: string): Promise<string> {
  const key = await startVirtual(page, user, deviceName);
  await enterCodes(page, codePair(key));
  await page.getByRole('button', { name: 'Turn on MFA' }).click();
  await expect(page.getByRole('heading', { name: `MFA is on for ${user.userName}` })).toBeVisible();
  return key;
}
