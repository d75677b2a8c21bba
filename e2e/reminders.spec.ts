import AxeBuilder from '@axe-core/playwright';
import { randomBytes } from 'node:crypto';
import { expect, groundTruth, test } from './fixtures';
import { sql } from './support/db';
import { env } from './support/iam';
import { capturedEmailsTo } from '../test-support/ses';

// An admin sends a reminder now to a seeded IAM user without MFA, put into a category of this spec's own (by a
// decision that overrides the category for that one user, so no other spec's users are captured), and finds the
// email in moto's SES and the send in the record. A member is refused the page and the cron route.
test.describe.configure({ mode: 'serial' });

const tag = randomBytes(3).toString('hex');
const categoryName = `E2E reminders ${tag}`;
let insertedInventoryRow = false;

/** A seeded console user without MFA whose email tag names no demo person, so no other spec signs in as it. */
function target() {
  const people = new Set(groundTruth().people.map((p) => p.email.toLowerCase()));
  const candidates = groundTruth()
    .users.filter((u) => u.accountId === '222222222222' && u.consoleAccess && u.mfaState === 'none' && u.kind === 'human' && u.email && !people.has(u.email.toLowerCase()))
    .sort((a, b) => a.userName.localeCompare(b.userName));
  const user = candidates.at(-1);
  if (!user) throw new Error('the seed has no console user without MFA in Development');
  return user;
}

test.beforeAll(async () => {
  const u = target();
  // The stored inventory may not have been collected yet in this run: add the user's row as a collection would.
  const inserted = await sql(
    `INSERT INTO inventory_users (account_id, user_name, arn, path, console_access, tags, groups, devices, mfa_state, source)
     VALUES ($1, $2, $3, $4, true, $5::jsonb, $6::jsonb, '[]'::jsonb, 'none', 'verify')
     ON CONFLICT DO NOTHING RETURNING user_name`,
    [u.accountId, u.userName, u.arn, u.path, JSON.stringify(u.tags), JSON.stringify(u.groups)],
  );
  insertedInventoryRow = inserted.length === 1;
  const [category] = await sql<{ id: number }>(
    `INSERT INTO program_categories (name, position, selector_kind, selector_key, selector_value, default_decision, allowed_device_types, deadline, cohort, updated_by)
     VALUES ($1, 999, 'tag', 'e2e-reminders', $2, 'required', '["virtual","fido"]'::jsonb, now() + interval '5 days', $3, 'e2e') RETURNING id`,
    [categoryName, tag, `e2e-rem-${tag}`],
  );
  await sql(
    `INSERT INTO program_decisions (account_id, user_name, category_id, decided_by) VALUES ($1, $2, $3, 'e2e')
     ON CONFLICT (account_id, user_name) DO UPDATE SET category_id = excluded.category_id, decision = NULL`,
    [u.accountId, u.userName, category!.id],
  );
});

test.afterAll(async () => {
  const u = target();
  await sql('DELETE FROM program_decisions WHERE account_id = $1 AND user_name = $2', [u.accountId, u.userName]);
  await sql('DELETE FROM program_categories WHERE name = $1', [categoryName]);
  if (insertedInventoryRow) await sql(`DELETE FROM inventory_users WHERE account_id = $1 AND user_name = $2 AND source = 'verify'`, [u.accountId, u.userName]);
});

test('an admin sends a reminder now and finds the email and the record', async ({ page, signInAs }) => {
  const u = target();
  const before = (await capturedEmailsTo(env('E2E_MOTO_URL'), u.email!)).length;
  await signInAs('carol@example.com');
  await page.goto(`/admin/reminders?user=${u.accountId}/${encodeURIComponent(u.userName)}`);
  await expect(page.getByRole('heading', { name: 'Reminders', level: 1 })).toBeVisible();
  await expect(page.getByTestId('channel-email')).toHaveText('From mfa-portal@example.com');

  const form = page.getByRole('form', { name: 'Send a reminder now' });
  await expect(form.getByLabel('AWS account')).toHaveValue(u.accountId);
  await expect(form.getByLabel('IAM user name')).toHaveValue(u.userName);
  await form.getByRole('button', { name: 'Send reminder now' }).click();
  await expect(form.getByRole('status')).toHaveText(`Reminder sent to ${u.userName} by email to ${u.email}.`);

  const mails = await capturedEmailsTo(env('E2E_MOTO_URL'), u.email!);
  expect(mails).toHaveLength(before + 1);
  expect(mails.at(-1)!.subject).toContain(u.userName);
  expect(mails.at(-1)!.body).toContain(`/enroll?user=${u.accountId}/${encodeURIComponent(u.userName)}`);

  await page.getByRole('searchbox', { name: 'IAM user' }).fill(u.userName);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const row = page.getByTestId('reminder-row').filter({ hasText: 'Sent now by an admin' }).first();
  await expect(row).toHaveAttribute('data-user', `${u.accountId}/${u.userName}`);
  await expect(row).toHaveAttribute('data-status', 'sent');
  await expect(row).toContainText(u.email!);
  await expect(row).toContainText('by carol@example.com');

  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test('an admin is told why a user cannot be reminded, and runs the due reminders with a summary', async ({ page, signInAs }) => {
  await signInAs('carol@example.com');
  await page.goto('/admin/reminders');
  const form = page.getByRole('form', { name: 'Send a reminder now' });
  await form.getByLabel('AWS account').selectOption('222222222222');
  await form.getByLabel('IAM user name').fill('no-such-user-here');
  await form.getByRole('button', { name: 'Send reminder now' }).click();
  await expect(form.getByRole('alert')).toContainText('is not in the inventory');

  await page.getByRole('button', { name: 'Run reminders now' }).click();
  const run = page.getByRole('form', { name: 'Run reminders now' });
  await expect(run.getByRole('status')).toHaveText(/reminders? due:|Nothing is due right now/);
  // The spec's user is five days from its deadline: the 7-day step is now recorded, once.
  await page.goto(`/admin/reminders?q=${encodeURIComponent(target().userName)}`);
  await expect(page.getByTestId('reminder-row').filter({ hasText: '7 days before' })).toHaveCount(1);
});

test('on a phone the record scrolls inside its own box', async ({ page, signInAs }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signInAs('carol@example.com');
  await page.goto('/admin/reminders');
  await expect(page.getByTestId('reminder-row').first()).toBeVisible();
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  const region = page.getByRole('region', { name: /Reminders sent/ });
  expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
});
