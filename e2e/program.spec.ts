import { randomBytes } from 'node:crypto';
import { test, expect } from './fixtures';
import { deleteInventoryUsers, insertInventoryUsers, sql } from './support/db';

// The program end to end: the security team defines a category and previews it; an admin sees its rule applied
// to a user, requests an exception that another admin approves (then finds it in the register), and decides for a
// filtered set in bulk.
// Its users exist only in the stored inventory and carry a group of their own, so no other spec sees the category.
test.describe.configure({ mode: 'serial' });

const tag = randomBytes(3).toString('hex');
const A = '111111111111';
const group = `e2e-prog-${tag}`;
const withVirtual = `e2e-prog-${tag}-v`;
const withNothing = `e2e-prog-${tag}-n`;
const name = `E2E hardware ${tag}`;
// Always two months ahead, so the category's deadline never passes while the spec is in use.
const deadline = new Date(Date.now() + 60 * 86_400_000);
const deadlineInput = `${deadline.toISOString().slice(0, 10)}T17:00`;
const deadlineShown = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(`${deadlineInput}Z`));

// A category of its own for the past-deadline confirmation.
const pastGroup = `e2e-past-${tag}`;
const pastVirtual = `e2e-past-${tag}-v`;
const pastNothing = `e2e-past-${tag}-n`;
const pastHardware = `e2e-past-${tag}-h`;
const pastName = `E2E past deadline ${tag}`;

test.beforeEach(async () => {
  await insertInventoryUsers([
    { accountId: A, userName: withVirtual, groups: [group], devices: ['virtual'] },
    { accountId: A, userName: withNothing, groups: [group] },
  ]);
});

test.afterAll(async () => {
  await deleteInventoryUsers(A, [withVirtual, withNothing, pastVirtual, pastNothing, pastHardware]);
  await sql('DELETE FROM program_categories WHERE name = ANY($1)', [[name, pastName]]);
});

test('the security team creates a category, previews who it captures, and sees it applied', async ({ page, signInAs }) => {
  await signInAs('dave@example.com');
  await page.goto('/admin/program');
  await page.getByRole('link', { name: 'New category' }).click();
  const form = page.getByRole('form', { name: 'New category' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Selector').selectOption('group');
  await form.getByLabel('IAM group name').fill(group);
  await form.getByLabel('Authenticator app').uncheck();
  await form.getByLabel('Deadline (UTC)').fill(deadlineInput);
  await form.getByLabel('Cohort').fill(`e2e-${tag}`);
  await form.getByRole('button', { name: 'Preview who it captures' }).click();
  await expect(page.getByTestId('draft-preview')).toContainText('matches 2 users (2 with console access)');
  await form.getByRole('button', { name: 'Save category' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Category “${name}” created.` })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the program' }).click();
  const row = page.getByTestId('category-row').filter({ hasText: name });
  await expect(row).toContainText('hardware TOTP token, or security key or passkey');
  await expect(row.getByTestId('category-users')).toContainText('2 in scope, 0 compliant');

  // The dashboard follows at once: a burndown for the new cohort toward its deadline, with both users remaining.
  await page.goto('/admin');
  const burndown = page.locator(`[data-testid="burndown"][data-cohort="e2e-${tag}"]`);
  await expect(burndown.getByTestId('burndown-summary')).toContainText(/^2 remaining, \d+ days left/);
  await expect(burndown.getByTestId('burndown-summary')).toContainText(`(deadline ${deadlineShown} UTC; 0 of 2 in scope compliant)`);
  await expect(burndown.getByRole('img', { name: new RegExp(`^Remaining gaps in cohort e2e-${tag} over time: 2 remaining`) })).toBeVisible();
});

test('a bad category keeps what was typed and says what is wrong on each field', async ({ page, signInAs }) => {
  await signInAs('dave@example.com');
  await page.goto('/admin/program/categories/new');
  const form = page.getByRole('form', { name: 'New category' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('IAM group name').fill('not a group!');
  await form.getByLabel('Cohort').fill(`e2e-${tag}`);
  await form.getByLabel('Deadline (UTC)').fill('2027-06-30T17:00');
  for (const t of ['Authenticator app', 'Hardware TOTP token', 'Security key or passkey']) await form.getByLabel(t).uncheck();
  await form.getByRole('button', { name: 'Save category' }).click();
  await expect(form.getByText('Enter an IAM group name')).toBeVisible();
  await expect(form.getByText('Allow at least one device type.')).toBeVisible();
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue(name);
});

test('an admin sees the rule on a user, requests an exception, another admin approves it, and it is in the register', async ({ page, signInAs, signedInElsewhere }) => {
  await signInAs('carol@example.com');
  await page.goto('/admin/program');
  await expect(page.getByRole('link', { name: 'New category' })).toHaveCount(0);
  await page.goto(`/admin/users/${A}/${withVirtual}`);
  await expect(page.getByTestId('program-category')).toContainText(name);
  await expect(page.getByTestId('program-status')).toContainText('Gap: Only device types this category does not allow');
  await page.getByText('Change the decision').click();
  const form = page.getByRole('form', { name: 'Decision' });
  await form.getByLabel('Decision').selectOption('exception');
  // The browser holds back an exception without its justification (the server checks it again: program-input.test.ts).
  await expect(form.getByLabel('Justification')).toHaveAttribute('required', '');
  await form.getByLabel('Justification').fill('Break-glass account kept in the safe');
  const ends = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  await form.getByLabel('Exception ends (UTC date)').fill(ends);
  await form.getByRole('button', { name: 'Save decision' }).click();
  await expect(form.getByRole('status')).toContainText('Exception requested until');

  // Another admin approves it in the queue (e2e/exceptions.spec.ts covers the refusal of the requester's own).
  const frank = await signedInElsewhere('frank@example.com');
  await frank.goto('/admin/exceptions');
  const request = frank.locator(`[data-testid="pending-request"][data-user="${withVirtual}"]`);
  await request.getByRole('button', { name: 'Record the decision' }).click();
  await expect(request.getByRole('status')).toContainText('Approved');

  await page.reload();
  await expect(page.getByTestId('program-decision')).toHaveAttribute('data-decision', 'exception');
  await expect(page.getByTestId('program-status')).toHaveText('Exception in force: not in scope');

  await page.goto('/admin/exceptions?status=expiring');
  const entry = page.getByTestId('exception-row').filter({ hasText: withVirtual });
  await expect(entry).toContainText('Approved by frank@example.com on');
  await expect(entry.getByTestId('exception-status')).toContainText(/Ends in (19|20) days/);

  await page.goto(`/admin/audit?action=program.*&target=${withVirtual}`);
  await expect(page.getByRole('row').filter({ hasText: 'program.exception.request' })).toContainText('carol@example.com');
  await expect(page.getByRole('row').filter({ hasText: 'program.exception.set' })).toContainText('frank@example.com');
});

test('an admin decides for a filtered set of users at once', async ({ page, signInAs }) => {
  await signInAs('carol@example.com');
  await page.goto(`/admin/decisions/bulk?q=e2e-prog-${tag}`);
  await expect(page.getByTestId('bulk-count')).toHaveText('2 users selected');
  const form = page.getByRole('form', { name: 'Bulk decision' });
  await form.getByLabel('Decision').selectOption('out-of-scope');
  await form.getByLabel('Reason').fill('Console passwords are being removed');
  await form.getByRole('button', { name: 'Apply to 2 users' }).click();
  await expect(form.getByRole('status')).toContainText('2 users changed');
  const rows = await sql<{ user_name: string; decision: string }>('SELECT user_name, decision FROM program_decisions WHERE user_name = ANY($1) ORDER BY user_name', [[withNothing, withVirtual]]);
  expect(rows).toEqual([
    { user_name: withNothing, decision: 'out-of-scope' },
    { user_name: withVirtual, decision: 'out-of-scope' },
  ]);
});

test('a deadline in the past is saved only after "Enforce from now", which says whom it affects', async ({ page, signInAs }) => {
  await insertInventoryUsers([
    { accountId: A, userName: pastVirtual, groups: [pastGroup], devices: ['virtual'] },
    { accountId: A, userName: pastNothing, groups: [pastGroup] },
    { accountId: A, userName: pastHardware, groups: [pastGroup], devices: ['hardware'] },
  ]);
  await signInAs('dave@example.com');
  await page.goto('/admin/program/categories/new');
  const form = page.getByRole('form', { name: 'New category' });
  await form.getByLabel('Name', { exact: true }).fill(pastName);
  await form.getByLabel('Selector').selectOption('group');
  await form.getByLabel('IAM group name').fill(pastGroup);
  await form.getByLabel('Authenticator app').uncheck();
  const yesterday = `${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}T09:00`;
  await form.getByLabel('Deadline (UTC)').fill(yesterday);
  await form.getByLabel('Cohort').fill(`e2e-past-${tag}`);
  await form.getByRole('button', { name: 'Save category' }).click();

  await expect(form.getByText(/This deadline \(.+ UTC\) is in the past\./)).toBeVisible();
  const confirm = form.getByTestId('enforce-from-now');
  await expect(confirm).toContainText('Saving it enforces MFA from now. 2 IAM users in scope without compliant MFA would be refused at once:');
  await expect(confirm).toContainText(`${A}/${pastNothing} (no MFA)`);
  await expect(confirm).toContainText(`${A}/${pastVirtual} (no allowed device type)`);
  await expect(confirm).not.toContainText(pastHardware);
  expect(await sql('SELECT id FROM program_categories WHERE name = $1', [pastName])).toEqual([]);

  // The confirmation is required by the browser too; checked, the category is saved.
  const box = confirm.getByRole('checkbox', { name: 'Enforce from now' });
  await expect(box).toHaveAttribute('required', '');
  await box.check();
  await form.getByRole('button', { name: 'Save category' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Category “${pastName}” created. Its deadline has passed, so the next enforcement deploy applies it from now.` })).toBeVisible();
  expect(await sql('SELECT name FROM program_categories WHERE name = $1', [pastName])).toEqual([{ name: pastName }]);
});
