import { test, expect } from './fixtures';
import { deleteInventoryUsers, insertInventoryUsers, sql } from './support/db';
import { createTestUser, TEST_ACCOUNT } from './support/iam';
import { signInWithKeys } from './support/enroll';

// An exception is requested by one admin and approved by another, never typed: carol asks for an IAM user of the
// test's own, cannot approve her own request, frank approves it, and the register says who approved it and when.
const dateMedium = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

let userName = '';
let memberUser = '';

test.afterAll(async () => {
  if (userName) await deleteInventoryUsers(TEST_ACCOUNT, [userName]);
  if (memberUser) await deleteInventoryUsers(TEST_ACCOUNT, [memberUser]);
});

test('carol requests an exception, cannot approve it herself, frank approves it, and the register shows "Approved by frank"', async ({ page, signInAs, signedInElsewhere }) => {
  const user = await createTestUser('exc');
  userName = user.userName;
  await insertInventoryUsers([{ accountId: TEST_ACCOUNT, userName, tags: { email: `${userName}@example.com` } }]);

  await signInAs('carol@example.com');
  await page.goto(`/admin/users/${TEST_ACCOUNT}/${userName}`);
  await page.getByText('Change the decision').click();
  const form = page.getByRole('form', { name: 'Decision' });
  await form.getByLabel('Decision').selectOption('exception');
  // Nobody types who approved it: the field is gone.
  await expect(form.getByLabel('Approved by')).toHaveCount(0);
  await form.getByLabel('Justification').fill('Shared break-glass login kept in the safe');
  const ends = new Date(Date.now() + 40 * 86_400_000);
  await form.getByLabel('Exception ends (UTC date)').fill(ends.toISOString().slice(0, 10));
  await form.getByRole('button', { name: 'Save decision' }).click();
  await expect(form.getByRole('status')).toContainText('Exception requested until');
  await page.reload();
  // Requested is not approved: the user is not excepted yet.
  await expect(page.getByTestId('program-decision')).not.toHaveAttribute('data-decision', 'exception');
  await expect(page.getByTestId('exception-requests').locator('li[data-status="pending"]')).toContainText('asked by carol@example.com');

  await page.goto('/admin/exceptions');
  const mine = page.locator(`[data-testid="pending-request"][data-user="${userName}"]`);
  await expect(mine).toContainText('Requested by carol@example.com');
  await expect(mine).toContainText('You asked for this exception');
  // The form is there, but the domain refuses the requester's own approval.
  await mine.getByRole('button', { name: 'Record the decision' }).click();
  await expect(mine.getByRole('alert')).toContainText('another admin must approve or reject it');
  expect(await sql('SELECT 1 FROM program_decisions WHERE account_id = $1 AND user_name = $2', [TEST_ACCOUNT, userName])).toEqual([]);

  const frank = await signedInElsewhere('frank@example.com');
  await frank.goto('/admin/exceptions');
  const request = frank.locator(`[data-testid="pending-request"][data-user="${userName}"]`);
  await expect(request).not.toContainText('You asked for this exception');
  await request.getByLabel('Decision').selectOption('approve');
  await request.getByLabel('Note (required to reject)').fill('Checked with the owner');
  await request.getByRole('button', { name: 'Record the decision' }).click();
  await expect(request.getByRole('status')).toContainText('Approved: the exception runs until');

  await frank.reload();
  await expect(frank.locator(`[data-testid="pending-request"][data-user="${userName}"]`)).toHaveCount(0);
  const entry = frank.getByTestId('exception-row').filter({ hasText: userName });
  await expect(entry.getByTestId('exception-approval')).toHaveText(`Approved by frank@example.com on ${dateMedium.format(new Date())}`);
  const [row] = await sql<{ approver: string; decided_by: string }>('SELECT approver, decided_by FROM program_decisions WHERE account_id = $1 AND user_name = $2', [TEST_ACCOUNT, userName]);
  expect(row).toEqual({ approver: 'frank@example.com', decided_by: 'frank@example.com' });

  await frank.goto(`/admin/audit?action=program.*&target=${userName}`);
  const acts: [string, string][] = [
    ['program.exception.request', 'carol@example.com'],
    ['program.exception.approve', 'frank@example.com'],
    ['program.exception.set', 'frank@example.com'],
  ];
  for (const [action, actor] of acts) {
    await expect(frank.locator(`[data-testid="audit-row"][data-action="${action}"][data-outcome="success"]`).first()).toContainText(actor);
  }
});

test('a member asks for an exception for their own IAM user on their page, sees it waiting, and withdraws it', async ({ page }) => {
  const user = await createTestUser('excm');
  memberUser = user.userName;
  await insertInventoryUsers([{ accountId: TEST_ACCOUNT, userName: user.userName }]);

  await signInWithKeys(page, user);
  const card = page.getByTestId('iam-user');
  await card.getByText('Ask for an exception').click();
  const form = card.getByRole('form', { name: `Exception request for ${user.userName}` });
  await form.getByLabel('Justification').fill('Kiosk login used only from the locked lab terminal');
  await form.getByLabel('Exception ends (UTC date)').fill(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
  await form.getByRole('button', { name: 'Request the exception' }).click();
  const pending = card.getByTestId('exception-requests').locator('li[data-status="pending"]');
  await expect(pending).toContainText('Waiting for an admin');
  // One pending request at a time: the form is gone until it is decided or withdrawn.
  await expect(card.getByText('Ask for an exception')).toHaveCount(0);

  await pending.getByRole('button', { name: 'Withdraw request' }).click();
  await expect(card.getByTestId('exception-requests').locator('li[data-status="withdrawn"]')).toContainText('Withdrawn');
  await expect(card.getByText('Ask for an exception')).toBeVisible();
  const rows = await sql<{ status: string; decided_by: string }>('SELECT status, decided_by FROM exception_requests WHERE account_id = $1 AND user_name = $2', [TEST_ACCOUNT, user.userName]);
  expect(rows).toEqual([{ status: 'withdrawn', decided_by: expect.any(String) }]);
});
