import AxeBuilder from '@axe-core/playwright';
import { TagUserCommand } from '@aws-sdk/client-iam';
import { consoleIam } from '../infra/local/console';
import { expect, test } from './fixtures';
import { createTestUser, env, unassignedDevicesOf, type TestUser } from './support/iam';
import { signInWithKeys } from './support/enroll';
import { insertTagCategory } from './support/db';

const TAG_KEY = 'e2e-program';
const DAY = 86_400_000;

/** A tag only this user carries, so that the category captures nobody else (other specs run alongside). */
async function tagUniquely(user: TestUser) {
  const iam = await consoleIam({ motoUrl: env('E2E_MOTO_URL'), accountId: user.accountId, groundTruth: env('E2E_GROUND_TRUTH') });
  try {
    await iam.send(new TagUserCommand({ UserName: user.userName, Tags: [{ Key: TAG_KEY, Value: user.userName }] }));
  } finally {
    iam.destroy();
  }
}

/** A hardware-or-FIDO category with a backup rule for exactly this user; returns a function that deletes it. */
async function insertCategory(user: TestUser, name: string): Promise<() => Promise<void>> {
  return insertTagCategory({
    name,
    tagKey: TAG_KEY,
    tagValue: user.userName,
    allowed: ['hardware', 'fido'],
    minDevices: 2,
    deadline: new Date(Date.now() + 12 * DAY + 3_600_000),
    cohort: 'e2e-program',
    by: 'e2e/program-member.spec.ts',
  });
}

test('a member sees their category, deadline and rules, is offered only allowed types, and a disallowed type is refused', async ({ page }) => {
  const user = await createTestUser('program');
  await tagUniquely(user);
  const key = encodeURIComponent(`${user.accountId}/${user.userName}`);
  const name = `E2E prod admins ${user.userName}`;

  await signInWithKeys(page, user);
  // The form as it was before the category existed: its server action must refuse on its own.
  await page.goto(`/enroll/virtual?user=${key}`);
  await expect(page.getByRole('button', { name: 'Create and show the QR code' })).toBeVisible();

  const removeCategory = await insertCategory(user, name);
  try {
    await page.getByRole('button', { name: 'Create and show the QR code' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText(new RegExp(`The category “${name}” does not allow`));
    expect(await unassignedDevicesOf(user)).toEqual([]);

    await page.goto('/');
    const card = page.getByTestId('iam-user');
    await expect(card.getByTestId('program-category')).toHaveText(name);
    await expect(card.getByTestId('program-deadline')).toContainText(/\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC/);
    await expect(card.getByTestId('program-countdown')).toHaveText('(in 12 days)');
    await expect(card.getByTestId('program-allowed')).toHaveText('Hardware TOTP tokens and security keys or passkeys');
    await expect(card.getByTestId('program-backup')).toHaveText('A backup device is required: 0 of 2 enrolled');
    await expect(card.getByRole('progressbar', { name: /Devices of an allowed type: 0 of 2/ })).toBeVisible();
    await expect(card.getByTestId('program-status')).toHaveText('To do: No MFA device.');
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    await card.getByRole('link', { name: /^Set up MFA/ }).click();
    await expect(page).toHaveURL(new RegExp(`/enroll\\?user=${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    await expect(page.getByTestId('device-kind')).toHaveCount(2);
    expect(await page.getByTestId('device-kind').evaluateAll((items) => items.map((i) => i.getAttribute('data-type')))).toEqual(['hardware', 'fido']);
    await expect(page.getByRole('link', { name: 'Authenticator app' })).toHaveCount(0);
    await expect(page.getByTestId('allowed-note')).toHaveText(`Your category “${name}” allows only hardware TOTP tokens and security keys or passkeys for this IAM user, so other kinds are not offered.`);
    await expect(page.getByTestId('backup-note')).toContainText('requires 2 devices of an allowed type');

    // Typing the URL of a hidden type shows the refusal instead of the form.
    await page.goto(`/enroll/virtual?user=${key}`);
    await expect(page.getByTestId('type-refusal')).toHaveText(new RegExp(`The category “${name}” does not allow .*authenticator app`));
    await expect(page.getByRole('button', { name: 'Create and show the QR code' })).toHaveCount(0);
    await page.getByRole('link', { name: 'Choose an allowed device' }).click();
    await expect(page.getByTestId('device-kind')).toHaveCount(2);

    // The allowed types still show their forms.
    await page.goto(`/enroll/hardware?user=${key}`);
    await expect(page.getByLabel('Serial number')).toBeVisible();
    expect(await unassignedDevicesOf(user)).toEqual([]);
  } finally {
    await removeCategory();
  }
});
