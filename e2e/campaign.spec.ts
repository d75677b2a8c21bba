import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, groundTruth, test } from './fixtures';
import { deleteInventoryUsers, sql } from './support/db';
import { parseCsv } from '../test-support/csv';

// The campaign page brings its own cohort: a category of a group nobody else is in, and inventory rows of IAM users
// that exist nowhere else (an inventory run would remove them; the specs that run one go last).
const tag = randomBytes(3).toString('hex');
const cohort = `e2e-campaign-${tag}`;
const group = `e2e-campaign-${tag}`;
const account = groundTruth().accounts[0]!.id;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
const users = [
  { userName: `camp-${tag}-a`, devices: [{ type: 'virtual', enabledAt: daysAgo(0) }] },
  { userName: `camp-${tag}-b`, devices: [{ type: 'virtual', enabledAt: daysAgo(3) }] },
  { userName: `camp-${tag}-idle`, devices: [], email: `idle-${tag}@example.com` },
  { userName: `camp-${tag}-started`, devices: [], leftover: true },
];
let categoryId: number;

test.beforeAll(async () => {
  const [row] = await sql<{ id: number }>(
    `INSERT INTO program_categories (name, position, selector_kind, selector_value, default_decision, allowed_device_types, deadline, cohort, updated_by)
     VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM program_categories), 'group', $2, 'required', '["virtual","hardware","fido"]', now() + interval '60 days', $3, 'e2e')
     RETURNING id`,
    [`E2E campaign ${tag}`, group, cohort],
  );
  categoryId = row!.id;
  for (const u of users) {
    const devices = u.devices.map((d, i) => ({ serial: `arn:aws:iam::${account}:mfa/${u.userName}-${i}`, type: d.type, name: `${u.userName}-${i}`, enabledAt: d.enabledAt }));
    await sql(
      `INSERT INTO inventory_users (account_id, user_name, arn, console_access, groups, devices, leftover_devices, mfa_state, tags, source)
       VALUES ($1, $2, $3, true, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8::jsonb, 'verify')`,
      [
        account,
        u.userName,
        `arn:aws:iam::${account}:user/${u.userName}`,
        JSON.stringify([group]),
        JSON.stringify(devices),
        JSON.stringify(u.leftover ? [`arn:aws:iam::${account}:mfa/${u.userName}`] : []),
        devices.length ? 'enabled' : u.leftover ? 'leftover-only' : 'none',
        JSON.stringify(u.email ? { email: u.email } : {}),
      ],
    );
  }
});

test.afterAll(async () => {
  await deleteInventoryUsers(
    account,
    users.map((u) => u.userName),
  );
  await sql('DELETE FROM program_categories WHERE id = $1', [categoryId]);
});

test('an admin sees the cohort with the dashboard’s figures, who has done nothing yet, and downloads it as CSV', async ({ page, signInAs }) => {
  await signInAs('frank@example.com');
  await page.getByRole('navigation').getByRole('link', { name: 'Campaign' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Campaign' })).toBeVisible();

  const card = page.locator(`[data-testid="cohort-card"][data-cohort="${cohort}"]`);
  await expect(card.getByRole('heading', { name: `Cohort ${cohort}` })).toBeVisible();
  await expect(card.getByTestId('in-scope')).toHaveText('4');
  await expect(card.getByTestId('enrolled')).toHaveText('2 (50%)');
  await expect(card.getByTestId('remaining')).toHaveText('2');
  // Two enrolled in the last 14 days: one every 7 days; 2 remaining are done in 14 days, well before the deadline.
  await expect(card.getByTestId('rate-14')).toHaveText('0.1 a day');
  await expect(card.getByTestId('projection')).toHaveText('on track');
  await expect(card.getByRole('img', { name: `Enrolled per day in cohort ${cohort}` })).toBeVisible();
  await card.getByText('Show the figures').click();
  await expect(card.getByRole('table', { name: `Enrolled per day in cohort ${cohort}` }).getByRole('row')).toHaveCount(5);

  // Done nothing yet: the user without a device, enrollment or request, not the one who started a set-up.
  await expect(card.getByTestId('idle-count')).toHaveText('1');
  const idle = card.getByTestId('idle-users');
  await expect(idle.getByRole('link', { name: `camp-${tag}-idle` })).toHaveAttribute('href', `/admin/users/${account}/camp-${tag}-idle`);
  await expect(idle).toContainText(`idle-${tag}@example.com`);
  await expect(idle).not.toContainText(`camp-${tag}-started`);

  // The dashboard's burndown for the same cohort says the same.
  await page.goto('/admin');
  const burndown = page.locator(`[data-testid="burndown"][data-cohort="${cohort}"]`);
  await expect(burndown.getByTestId('burndown-summary')).toContainText(/^2 remaining, \d+ days left/);
  await expect(burndown.getByTestId('burndown-summary')).toContainText('2 of 4 in scope compliant');

  await page.goto('/admin/campaign');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^mfa-campaign-.*\.csv$/);
  const rows = parseCsv(readFileSync((await download.path())!, 'utf8'));
  const header = rows[0]!;
  const line = rows.find((r) => r[0] === cohort)!;
  const at = (name: string) => line[header.indexOf(name)];
  expect([at('in_scope'), at('enrolled'), at('remaining'), at('projection'), at('done_nothing')]).toEqual(['4', '2', '2', 'on track', '1']);
  expect(rows.some((r) => r[0] === cohort && r[3] === `camp-${tag}-idle` && r[4] === `idle-${tag}@example.com`)).toBe(true);
});

test('on a phone the campaign page reads without scrolling the page sideways', async ({ page, signInAs }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await signInAs('frank@example.com');
  await page.goto('/admin/campaign');
  const card = page.locator(`[data-testid="cohort-card"][data-cohort="${cohort}"]`);
  await expect(card.getByTestId('in-scope')).toHaveText('4');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const box = await card.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(375);
});

test('the security team previews the weekly digest; without a channel, send now is off and the page says why', async ({ page, signInAs }) => {
  await signInAs('dave@example.com');
  await page.goto('/admin/campaign');
  const digest = page.getByRole('region', { name: 'Weekly digest for the security team' });
  await digest.getByRole('button', { name: 'Preview digest' }).click();
  const preview = digest.getByTestId('digest-preview');
  await expect(preview).toContainText(/MFA campaign digest, week \d{4}-W\d{2}/);
  await expect(preview).toContainText(new RegExp(`- ${cohort} \\(deadline [^)]+\\): 2 of 4 enrolled, 2 remaining; on track`));
  await expect(preview).toContainText('Exceptions ending in the next 14 days:');
  // The local stack configures no digest channel: nothing can be sent, and the page names the settings.
  await expect(digest.getByText('The digest has no channel')).toBeVisible();
  await expect(digest.getByRole('button', { name: 'Send now' })).toBeDisabled();
});

test('an admin who is not on the security team sees the campaign but not the digest controls', async ({ page, signInAs }) => {
  await signInAs('carol@example.com');
  await page.goto('/admin/campaign');
  await expect(page.locator(`[data-testid="cohort-card"][data-cohort="${cohort}"]`)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Preview digest' })).toHaveCount(0);
});
