import { randomBytes } from 'node:crypto';
import { test, expect } from './fixtures';
import { createTestUser, listDevices, type TestUser } from './support/iam';
import { enrollVirtual, signInWithKeys } from './support/enroll';
import { deleteInventoryUsers, insertInventoryUsers, sql } from './support/db';

// Lost device, back in a day (issue 15 §3): a member who signs in with access keys reports their phone lost, carol
// verifies them with the security team's checklist and approves, the device is gone from IAM, the member sees the
// grace and enrolls a new device, and the grace ends. The user has a category of its own, due yesterday (pinned by a
// decision, so nobody else is in it), so that a day of grace is a real window.

const tag = randomBytes(3).toString('hex');
let user: TestUser;
let categoryId: number;

test.beforeAll(async () => {
  user = await createTestUser('rec');
  const [row] = await sql<{ id: number }>(
    `INSERT INTO program_categories (name, position, selector_kind, selector_key, selector_value, default_decision, allowed_device_types, deadline, cohort, updated_by)
     VALUES ($1, 999, 'tag', 'e2e-recovery', $2, 'required', '["virtual","hardware","fido"]'::jsonb, now() - interval '1 day', $3, 'e2e') RETURNING id`,
    [`E2E recovery ${tag}`, tag, `e2e-rec-${tag}`],
  );
  categoryId = row!.id;
  await insertInventoryUsers([{ accountId: user.accountId, userName: user.userName }]);
  await sql(
    `INSERT INTO program_decisions (account_id, user_name, category_id, decided_by) VALUES ($1, $2, $3, 'e2e')
     ON CONFLICT (account_id, user_name) DO UPDATE SET category_id = excluded.category_id, decision = NULL`,
    [user.accountId, user.userName, categoryId],
  );
});

test.afterAll(async () => {
  await sql('DELETE FROM recovery_requests WHERE account_id = $1 AND user_name = $2', [user.accountId, user.userName]);
  await deleteInventoryUsers(user.accountId, [user.userName]);
  await sql('DELETE FROM program_categories WHERE id = $1', [categoryId]);
});

test('a member reports a lost device, carol approves with the checklist, the member enrolls a new one and the grace ends', async ({ page, signedInElsewhere }) => {
  test.setTimeout(180_000);
  const lost = `${user.userName}-lost`.slice(0, 64);
  await signInWithKeys(page, user);
  await enrollVirtual(page, user, lost);
  const [lostSerial] = await listDevices(user);
  expect(lostSerial).toContain(`:mfa/${lost}`);

  // The member reports it from My devices: nothing from the device is needed.
  await page.goto('/devices');
  const device = page.locator(`[data-testid="device"][data-serial="${lostSerial}"]`);
  await device.getByRole('button', { name: `Report ${lost} lost or broken` }).click();
  const form = page.getByRole('form', { name: `Report ${lost} lost or broken` });
  await form.getByRole('radio', { name: 'Lost' }).check();
  await form.getByLabel('Anything the administrator should know (optional)').fill('Left it in a taxi');
  await form.getByRole('button', { name: 'Send report' }).click();
  // The page is re-read: the report form gives way to where the report stands.
  await expect(page.getByTestId('recovery-notice')).toHaveAttribute('data-state', 'reported');
  await expect(page.getByTestId('recovery-notice')).toContainText('Waiting for an admin to verify you');
  expect(await listDevices(user)).toEqual([lostSerial]);

  // Carol finds it in the queue and approves it, every check ticked.
  const carol = await signedInElsewhere('carol@example.com');
  await carol.goto('/admin/recovery');
  const row = carol.locator(`[data-testid="recovery-row"][data-user="${user.userName}"]`);
  await expect(row).toHaveAttribute('data-state', 'reported');
  await row.getByRole('link', { name: new RegExp(user.userName) }).click();
  await expect(carol.getByRole('heading', { level: 1 })).toHaveText(`Lost device of ${user.userName}`);
  const approve = carol.getByRole('form', { name: 'Approve the recovery' });
  // Approving with a check left unticked is refused, and nothing happens in AWS.
  await approve.getByRole('button', { name: /^Approve/ }).click();
  await expect(approve).toContainText('Confirm every check before approving.');
  expect(await listDevices(user)).toEqual([lostSerial]);
  for (const box of await approve.getByRole('checkbox').all()) await box.check();
  await approve.getByRole('button', { name: /^Approve/ }).click();
  // The page is re-read: the decided request shows its state, and no form any more.
  await expect(carol.getByTestId('recovery-state')).toContainText('In grace');
  await expect(carol.getByRole('form', { name: 'Approve the recovery' })).toHaveCount(0);

  // The device is gone in IAM, and the member sees the grace with a way to enroll.
  expect(await listDevices(user)).toEqual([]);
  const [window] = await sql<{ status: string; kind: string }>(`SELECT status, kind FROM user_windows WHERE account_id = $1 AND user_name = $2`, [user.accountId, user.userName]);
  expect(window).toEqual({ status: 'active', kind: 'grace' });
  await page.goto('/devices');
  const notice = page.getByTestId('recovery-notice');
  await expect(notice).toHaveAttribute('data-state', 'approved');
  await expect(notice).toContainText(/Grace until .* UTC: enroll a new device now/);
  await expect(notice.getByRole('link', { name: 'Enroll a new device' })).toHaveAttribute('href', `/enroll?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`);

  // The member enrolls a new device: the grace ends at once.
  await enrollVirtual(page, user, `${user.userName}-new`.slice(0, 64));
  const [ended] = await sql<{ status: string; end_reason: string }>(`SELECT status, end_reason FROM user_windows WHERE account_id = $1 AND user_name = $2`, [user.accountId, user.userName]);
  expect(ended).toEqual({ status: 'ended', end_reason: 'enrolled' });
  await page.goto('/devices');
  await expect(page.getByTestId('recovery-notice')).toHaveAttribute('data-state', 'completed');
  await carol.goto('/admin/recovery');
  await expect(carol.locator(`[data-testid="recovery-row"][data-user="${user.userName}"]`)).toHaveAttribute('data-state', 'completed');
});
