import AxeBuilder from '@axe-core/playwright';
import { randomBytes } from 'node:crypto';
import { expect, test } from './fixtures';
import { sql } from './support/db';
import { env } from './support/iam';
import { capturedEmailsTo } from '../test-support/ses';

// The security team edits the reminder email's template on the reminders page: the preview follows the typing, a
// test goes to dave's own address (found in moto's SES), the edit is saved and then reset to the default. Other specs
// read reminder emails (reminders.spec.ts: the user's name and the enrollment link), so the edited text keeps both,
// and the default is restored at the end whatever happens.
test.describe.configure({ mode: 'serial' });

const tag = randomBytes(3).toString('hex');

test.afterAll(async () => {
  await sql(`DELETE FROM message_templates WHERE kind = 'reminder' AND channel = 'email' AND subject LIKE $1`, [`%E2E ${tag}%`]);
});

test('dave edits the reminder email, sees the preview change, sends a test and resets the default', async ({ page, signInAs }) => {
  await signInAs('dave@example.com');
  await page.goto('/admin/reminders');
  await expect(page.getByRole('heading', { name: 'Message templates' })).toBeVisible();

  const editor = page.getByTestId('template-reminder-email');
  await editor.getByText('Reminder (before the deadline), Email').click();
  const form = editor.getByRole('form', { name: 'Template: Reminder (before the deadline), Email' });
  const subject = form.getByLabel('Subject');
  await expect(subject).toHaveValue('Set up MFA for IAM user {{userName}} in {{accountName}} {{relativeDeadline}}');
  const preview = form.getByTestId('preview-subject');
  await expect(preview).toHaveText(/^Set up MFA for IAM user \S+ in .+ (in|less|\d)/);
  await expect(preview).not.toContainText('{{');

  await subject.fill(`E2E ${tag}: MFA for {{userName}} by {{deadline}}`);
  await expect(preview).toHaveText(new RegExp(`^E2E ${tag}: MFA for \\S+ by \\w+day \\d+ \\w+ \\d{4} at \\d\\d:\\d\\d UTC$`));

  // An unknown placeholder: the preview says so at once, and saving is refused with the reason.
  await subject.fill(`E2E ${tag}: {{firstName}}`);
  await expect(form.getByTestId('template-problems')).toContainText('Unknown placeholder {{firstName}}');
  await form.getByRole('button', { name: 'Save template' }).click();
  await expect(form.getByRole('alert').first()).toContainText('Check the template.');
  await expect(form.getByText(/Unknown placeholder \{\{firstName\}\}: use only/).first()).toBeVisible();

  await subject.fill(`E2E ${tag}: MFA for {{userName}} by {{deadline}}`);
  const before = (await capturedEmailsTo(env('E2E_MOTO_URL'), 'dave@example.com')).length;
  await form.getByRole('button', { name: 'Send test to dave@example.com' }).click();
  await expect(form.getByRole('status')).toHaveText('Test sent to dave@example.com.');
  const mails = await capturedEmailsTo(env('E2E_MOTO_URL'), 'dave@example.com');
  expect(mails).toHaveLength(before + 1);
  expect(mails.at(-1)!.subject).toMatch(new RegExp(`^\\[Test\\] E2E ${tag}: MFA for \\S+ by `));
  expect(mails.at(-1)!.body).toContain('/enroll?user=');

  await form.getByRole('button', { name: 'Save template' }).click();
  await expect(form.getByRole('status')).toHaveText('Template saved: the next messages use it.');
  await page.reload();
  const again = page.getByTestId('template-reminder-email');
  await expect(again.getByText('Edited', { exact: true })).toBeVisible();
  await again.getByText('Reminder (before the deadline), Email').click();
  await expect(again.getByLabel('Subject')).toHaveValue(`E2E ${tag}: MFA for {{userName}} by {{deadline}}`);

  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  await again.getByRole('form', { name: 'Reset: Reminder (before the deadline), Email' }).getByRole('button', { name: 'Reset to default' }).click();
  await expect(again.getByLabel('Subject')).toHaveValue('Set up MFA for IAM user {{userName}} in {{accountName}} {{relativeDeadline}}');
  await expect(again.getByText('Default', { exact: true })).toBeVisible();
  expect(await sql(`SELECT 1 FROM message_templates WHERE kind = 'reminder' AND channel = 'email'`)).toHaveLength(0);
});

test('an admin reads the templates and the escalation set-up but cannot edit them', async ({ page, signInAs }) => {
  await signInAs('carol@example.com');
  await page.goto('/admin/reminders');
  await expect(page.getByTestId('escalation-summary')).toBeVisible();
  const editor = page.getByTestId('template-escalation-email');
  await editor.getByText('Escalation (the last steps, to the owner and the account contact), Email').click();
  await expect(editor.getByLabel('Subject')).toHaveAttribute('readonly', '');
  await expect(editor.getByRole('button', { name: 'Save template' })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Owner’s address' })).toHaveCount(0);
});
