import AxeBuilder from '@axe-core/playwright';
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';
import { consoleIam } from '../infra/local/console';
import { removeTestUser } from '../test-support/iam-cleanup';
import { expect, test } from './fixtures';
import { deleteInventoryUsers, insertInventoryUsers, sql } from './support/db';
import { createEnforcedGroup, defaultPolicyVersion, deleteEnforcedGroup, deleteEnforcementPolicy, ENFORCED_GROUP, policyArn } from './support/enforcement';
import { createTestUser, env, TEST_ACCOUNT, type TestUser } from './support/iam';

// The security team's enforcement page end to end: tag reconciliation, impact, deploy to the three accounts, a
// changed deadline as a diff and a new version, rollback, and the audit trail. Only this spec's own IAM user is in
// the enforced group (created here in one account; the seed has none), and its category selects that group alone
// under a cohort of its own, so other specs running alongside are not affected (moto does not evaluate the
// policy's conditions: the group's members are denied outright, and that is only our user). Everything is removed
// afterwards: the coverage spec compares the organisation exactly.
test.describe.configure({ mode: 'serial' });

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'] as const;
const B = TEST_ACCOUNT;
const tag = randomBytes(3).toString('hex');
const cohort = `e2e-enf-${tag}`;
const categoryName = `E2E enforcement ${tag}`;
// Unusual minutes, so that no other spec's cohort shares a deadline line in the diff.
const firstDeadline = '2031-07-13T05:43:00Z';
const secondDeadline = '2031-08-21T06:17:00Z';
let user: TestUser;
// Only in the stored inventory: a user with an MFA device whose access keys are in use, already tagged with the cohort
// (so no tag drift). Their key calls will need an MFA session from the deadline.
const keysUser = `e2e-enf-${tag}-keys`;

test.beforeAll(async () => {
  user = await createTestUser('enf');
  await createEnforcedGroup(B, user.userName);
  await insertInventoryUsers([
    { accountId: B, userName: user.userName, groups: [ENFORCED_GROUP] },
    { accountId: B, userName: keysUser, groups: [ENFORCED_GROUP], devices: ['virtual'], tags: { 'mfa-cohort': cohort }, accessKeyLastUsed: new Date(Date.now() - 86_400_000) },
  ]);
  await sql(
    `INSERT INTO program_categories (name, position, selector_kind, selector_value, default_decision, allowed_device_types, min_devices, deadline, cohort, updated_by)
     VALUES ($1, 0, 'group', $2, 'required', '["virtual","hardware","fido"]'::jsonb, 1, $3, $4, 'e2e/enforcement.spec.ts')`,
    [categoryName, ENFORCED_GROUP, new Date(firstDeadline), cohort],
  );
});

test.afterAll(async () => {
  const errors: unknown[] = [];
  const attempt = async (step: () => Promise<unknown>) => step().catch((e: unknown) => errors.push(e));
  await attempt(() => sql('DELETE FROM program_categories WHERE name = $1', [categoryName]));
  if (user) {
    await attempt(() => deleteInventoryUsers(B, [user.userName, keysUser]));
    await attempt(() => deleteEnforcedGroup(B, user.userName));
  }
  for (const account of ACCOUNTS) await attempt(() => deleteEnforcementPolicy(account));
  if (user) {
    await attempt(async () => {
      const iam = await consoleIam({ motoUrl: env('E2E_MOTO_URL'), accountId: B, groundTruth: env('E2E_GROUND_TRUTH') });
      try {
        await removeTestUser(iam, user.userName);
      } finally {
        iam.destroy();
      }
    });
  }
  if (errors.length) throw new AggregateError(errors, 'enforcement spec clean-up failed');
});

const section = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
const account = (page: Page, id: string) => page.locator(`[data-testid="account-policy"][data-account="${id}"]`);
const outcome = (page: Page, id: string) => page.locator(`[data-testid="deploy-outcome"][data-account="${id}"]`);

/**
 * Deploys what the page previews. Another spec may add or remove a category of its own between our review and the
 * click: the portal then refuses ("changed since your preview") and refreshes the page, and we confirm again.
 */
async function deploy(page: Page, accounts: number): Promise<Locator> {
  const deploySection = section(page, 'Deploy');
  for (let attempt = 1; ; attempt++) {
    await deploySection.getByRole('button', { name: `Deploy to ${accounts} accounts` }).click();
    const confirm = deploySection.getByRole('button', { name: `Yes, deploy to ${accounts} accounts` });
    await expect(confirm).toBeFocused();
    await confirm.click();
    // The confirmation closes when the deploy is done, or when the portal refused a stale preview.
    await expect(confirm, 'the deploy was refused or did not finish').toBeHidden({ timeout: 60_000 });
    const result = deploySection.getByRole('status').or(deploySection.getByRole('alert')).filter({ hasText: /Deployed to|changed since your preview|Not deployed/ });
    await expect(result).toBeVisible();
    if (!/changed since your preview/.test(await result.innerText()) || attempt === 3) return result;
  }
}

test('an admin who is not in the security team gets 403', async ({ page, signInAs }) => {
  await signInAs('carol@example.com');
  expect((await page.goto('/admin/enforcement'))!.status()).toBe(403);
  await expect(page.getByRole('heading', { name: /don.t have access/ })).toBeVisible();
});

test('the security team reviews the tag drift and applies it from the keyboard', async ({ page, signInAs }) => {
  test.setTimeout(150_000);
  await signInAs('dave@example.com');
  expect((await page.goto('/admin/enforcement'))!.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Enforcement', level: 1 })).toBeVisible();
  await expect(page.getByTestId('policy-size')).toHaveText(/^[\d,]+ of 6,144 characters$/);
  await expect(page.getByTestId('cohorts').locator(`[data-cohort="${cohort}"]`)).toContainText('13 Jul 2031, 05:43');
  await expect(page.getByLabel('Default cohort', { exact: true })).toHaveValue('');
  await expect(page.getByTestId('enforced-groups')).toHaveText(ENFORCED_GROUP);

  // The report is for everyone: apply it only when it lists nobody but our user (other specs' categories come and go).
  const tags = section(page, 'Tag reconciliation');
  await expect(async () => {
    await page.reload();
    await expect(tags.getByTestId('drift-row')).toHaveCount(1, { timeout: 2_000 });
  }).toPass({ timeout: 120_000, intervals: [1_000, 2_000, 5_000] });
  const row = tags.getByTestId('drift-row');
  await expect(row).toHaveAttribute('data-user', user.userName);
  await expect(row).toHaveAttribute('data-tag', 'mfa-cohort');
  await expect(row.getByRole('cell').nth(2)).toHaveText('absent');
  await expect(row.getByRole('cell').nth(3)).toHaveText(cohort);
  await expect(row.getByRole('link', { name: user.userName })).toHaveAttribute('href', `/admin/users/${B}/${user.userName}`);
  await expect(tags.getByTestId('drift-count')).toContainText('1 change on 1 IAM user');

  const apply = tags.getByRole('button', { name: 'Apply 1 change' });
  await apply.focus();
  await page.keyboard.press('Enter');
  const confirm = tags.getByRole('button', { name: 'Yes, apply 1 change' });
  await expect(confirm).toBeFocused();
  await expect(tags.getByRole('form', { name: 'Confirm the tag changes' })).toContainText('each change is recorded in the audit log');
  await page.keyboard.press('Enter');
  await expect(tags.getByRole('status').filter({ hasText: 'Tags updated on 1 user.' })).toBeVisible();
  await expect(tags.getByTestId('drift-empty')).toContainText('Every user’s mfa-cohort and mfa-exempt tags match the program.');
});

test('the impact lists the test user from the cohort’s deadline', async ({ page, signInAs }) => {
  await signInAs('dave@example.com');
  await page.goto('/admin/enforcement');
  const group = section(page, 'Impact').locator(`[data-testid="impact-group"][data-cohort="${cohort}"]`);
  await expect(group.getByRole('heading')).toHaveText(`From 13 Jul 2031, 05:43 UTC · cohort ${cohort} · 1 user`);
  await expect(group.getByTestId('impact-user')).toHaveAttribute('data-user', user.userName);
  // The user with a device is not denied everything, but their access-key calls are: listed apart.
  const keys = section(page, 'Impact').locator(`[data-testid="impact-keys-group"][data-cohort="${cohort}"]`);
  await expect(keys.getByRole('heading')).toHaveText(`Access-key calls need an MFA session from 13 Jul 2031, 05:43 UTC · cohort ${cohort} · 1 user`);
  await expect(keys.getByTestId('impact-keys-user')).toHaveAttribute('data-user', keysUser);
  await expect(page.getByTestId('cohorts').locator(`[data-cohort="${cohort}"]`).getByRole('cell').nth(3)).toHaveText('1 user');
  await expect(page.getByTestId('no-blockers')).toBeVisible();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test('an approved exception whose tags do not exempt it yet blocks the deploy, with the reason', async ({ page, signInAs }) => {
  await sql(
    `INSERT INTO program_decisions (account_id, user_name, decision, reason, approver, expires_at, decided_by)
     VALUES ($1, $2, 'exception', 'E2E break-glass account', 'frank@example.com', now() + interval '30 days', 'frank@example.com')`,
    [B, user.userName],
  );
  try {
    await signInAs('dave@example.com');
    await page.goto('/admin/enforcement');
    await expect(page.getByTestId('blockers')).toContainText(`It would deny 1 user with an approved exception (${B}/${user.userName})`);
    await expect(page.locator(`[data-testid="impact-user"][data-user="${user.userName}"]`)).toContainText('approved exception');
    await expect(section(page, 'Tag reconciliation').locator(`[data-testid="drift-row"][data-user="${user.userName}"][data-tag="mfa-exempt"]`)).toContainText('true');
    const button = section(page, 'Deploy').getByRole('button', { name: 'Deploy to 3 accounts' });
    await expect(button).toBeDisabled();
    await expect(button).toHaveAccessibleDescription('Deploying is blocked: see the blockers under Status.');
  } finally {
    await sql('DELETE FROM program_decisions WHERE account_id = $1 AND user_name = $2', [B, user.userName]);
  }
});

test('a first deploy creates the policy in every account and attaches it where the group exists', async ({ page, signInAs }) => {
  test.setTimeout(120_000);
  await signInAs('dave@example.com');
  await page.goto('/admin/enforcement');
  for (const id of ACCOUNTS) await expect(account(page, id).getByTestId('account-status')).toHaveText('not deployed');
  await expect(account(page, B).locator(`[data-group="${ENFORCED_GROUP}"]`)).toHaveAttribute('data-state', 'not-attached');

  const result = await deploy(page, 3);
  await expect(result).toHaveText('Deployed to 3 accounts.');
  for (const id of ACCOUNTS) await expect(outcome(page, id)).toHaveAttribute('data-status', 'created');
  await expect(outcome(page, B)).toContainText(`Attached to ${ENFORCED_GROUP}.`);
  for (const id of ACCOUNTS.filter((a) => a !== B)) await expect(outcome(page, id)).toContainText(`Group ${ENFORCED_GROUP} does not exist in this account: create it, or nobody there is enforced.`);

  // The page refreshed behind the outcome: every account up to date, the group attached, nothing left to deploy.
  for (const id of ACCOUNTS) await expect(account(page, id).getByTestId('account-status')).toHaveText('up to date');
  await expect(account(page, B).locator(`[data-group="${ENFORCED_GROUP}"]`)).toHaveAttribute('data-state', 'attached');
  await expect(account(page, '111111111111').locator(`[data-group="${ENFORCED_GROUP}"]`)).toHaveAttribute('data-state', 'missing');
  await expect(section(page, 'Deploy').getByRole('button', { name: 'Deploy', exact: true })).toBeDisabled();
  await expect(page.getByTestId('deploy-disabled-reason')).toHaveText(/^Every account already has this version/);
  expect(await defaultPolicyVersion(B)).toBe('v1');
});

test('a new deadline shows as a diff of aws:CurrentTime and deploys as a new version', async ({ page, signInAs }) => {
  test.setTimeout(120_000);
  await sql('UPDATE program_categories SET deadline = $1 WHERE name = $2', [new Date(secondDeadline), categoryName]);
  await signInAs('dave@example.com');
  await page.goto('/admin/enforcement');
  const b = account(page, B);
  await expect(b.getByTestId('account-status')).toHaveText(/^will change: \+\d+ −\d+ lines$/);
  const diff = b.getByTestId('diff');
  await expect(diff.locator('del', { hasText: `"aws:CurrentTime": "${firstDeadline}"` })).toHaveText(new RegExp(`^-\\s*Removed:\\s+"aws:CurrentTime": "${firstDeadline}"$`));
  await expect(diff.locator('ins', { hasText: `"aws:CurrentTime": "${secondDeadline}"` })).toHaveText(new RegExp(`^\\+\\s*Added:\\s+"aws:CurrentTime": "${secondDeadline}"$`));
  await expect(b.getByText('Changes from v1 (in force) to the generated policy:')).toBeVisible();

  await deploy(page, 3);
  for (const id of ACCOUNTS) {
    await expect(outcome(page, id)).toHaveAttribute('data-status', 'updated');
    await expect(outcome(page, id).getByRole('cell').nth(2)).toHaveText('v2');
  }
  await expect(b.getByTestId('account-status')).toHaveText('up to date');
  expect(await defaultPolicyVersion(B)).toBe('v2');
});

test('a rollback makes a retained version the default again in one account', async ({ page, signInAs }) => {
  await signInAs('dave@example.com');
  await page.goto('/admin/enforcement');
  const b = account(page, B);
  const v1 = b.locator('[data-testid="policy-version"][data-version="v1"]');
  await expect(b.locator('[data-testid="policy-version"][data-version="v2"]')).toContainText('default (in force)');
  await v1.getByRole('button', { name: /^Make default/ }).click();
  const confirm = b.getByRole('button', { name: 'Yes, make v1 the default' });
  await expect(confirm).toBeFocused();
  await confirm.click();
  await expect(b.getByRole('status').filter({ hasText: 'v1 is the default version again.' })).toBeVisible();
  await expect(v1).toHaveAttribute('data-default', 'true');
  await expect(v1).toContainText('default (in force)');
  await expect(b.getByTestId('account-status')).toHaveText(/^will change/);
  expect(await defaultPolicyVersion(B)).toBe('v1');
  expect(await defaultPolicyVersion('111111111111')).toBe('v2');
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test('the audit log shows the tag change, both deploys and the rollback, each AWS call between an intent and its outcome', async ({ page, signInAs }) => {
  await signInAs('dave@example.com');
  const rows = page.getByTestId('audit-row');
  // Per action: the summary rows (the change itself), and the AWS calls (detail `operation: iam:…`) as intent + outcome.
  const counts = async (action: string) => {
    const all = await rows.and(page.locator(`[data-action="${action}"]`)).evaluateAll((rs) => rs.map((r) => ({ outcome: r.getAttribute('data-outcome'), call: /operation: iam:/.test(r.textContent ?? '') })));
    return { summaries: all.filter((r) => !r.call).length, intents: all.filter((r) => r.call && r.outcome === 'intent').length, outcomes: all.filter((r) => r.call && r.outcome !== 'intent').length };
  };
  await page.goto(`/admin/audit?action=enforcement.*&target=${encodeURIComponent(policyArn(B))}`);
  await expect(rows.first()).toContainText('dave@example.com');
  const deploys = await counts('enforcement.deploy');
  expect(deploys.summaries).toBe(2);
  expect(deploys.intents).toBeGreaterThanOrEqual(2);
  expect(deploys.outcomes).toBe(deploys.intents);
  expect(await counts('enforcement.rollback')).toEqual({ summaries: 1, intents: 1, outcomes: 1 });
  await page.goto(`/admin/audit?action=enforcement.*&target=${encodeURIComponent(`${B}/${user.userName}`)}`);
  await expect(rows.first()).toBeVisible();
  const tags = await counts('enforcement.tags.apply');
  expect(tags.summaries).toBe(1);
  expect(tags.intents).toBeGreaterThanOrEqual(1);
  expect(tags.outcomes).toBe(tags.intents);
});

test('on a phone the policy, diffs and tables scroll inside their own boxes, not the page', async ({ page, signInAs }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signInAs('dave@example.com');
  await page.goto('/admin/enforcement');
  await expect(page.getByTestId('account-policy')).toHaveCount(3);
  await page.getByText(/^The generated policy \(/).click();
  await expect(page.getByTestId('generated-policy')).toBeVisible();
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  await page.screenshot({ path: test.info().outputPath('enforcement-phone.png'), fullPage: true });
});
