import AxeBuilder from '@axe-core/playwright';
import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { parseCsv } from '../test-support/csv';
import { createTestUser } from './support/iam';
import { enrollVirtual, signInWithKeys } from './support/enroll';
import { ensureInventory } from './support/inventory';

const COLUMNS = ['id', 'at', 'actor', 'action', 'target', 'outcome', 'detail_json'];

test('an admin filters the audit log by action and downloads the same entries as CSV', async ({ page, signInAs }) => {
  await signInAs('carol@example.com');
  await page.goto('/admin/system');
  await page.getByRole('link', { name: 'Open the audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();

  await page.getByLabel('Action').selectOption('auth.sign-in');
  await page.getByLabel('Actor').fill('carol@');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]action=auth\.sign-in(&|$)/);
  const rows = page.getByTestId('audit-row');
  await expect(rows.first()).toContainText('carol@example.com');
  expect(new Set(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action'))))).toEqual(new Set(['auth.sign-in']));
  await expect(rows.filter({ hasText: 'method: oidc' }).first()).toBeVisible();
  const total = Number((await page.getByTestId('audit-total').innerText()).match(/^(\d+) entr/)![1]);
  expect(total).toBeGreaterThan(0);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^mfa-portal-audit-.*\.csv$/);
  const csv = parseCsv(await readFile((await download.path())!, 'utf8')).filter((r) => r.length > 1);
  expect(csv[0]).toEqual(COLUMNS);
  const body = csv.slice(1);
  expect(body.length).toBeGreaterThanOrEqual(total);
  expect(body.every((r) => r[3] === 'auth.sign-in' && r[2]!.toLowerCase().includes('carol@'))).toBe(true);
  expect(body.some((r) => r[2] === 'carol@example.com' && r[5] === 'success' && JSON.parse(r[6]!).method === 'oidc')).toBe(true);

  // The export is itself in the log, with the filters it was given.
  await page.goto('/admin/audit?action=audit.export&actor=carol%40example.com');
  await expect(page.getByTestId('audit-row').filter({ hasText: '"action":"auth.sign-in"' }).first()).toContainText('"actor":"carol@"');
});

test('the audit page pages, says when nothing matches, and passes axe', async ({ page, signInAs }) => {
  await signInAs('carol@example.com');
  await page.goto('/admin/audit?pageSize=10');
  await expect(page.getByTestId('audit-row').first()).toBeVisible();
  expect(await page.getByTestId('audit-row').count()).toBeLessThanOrEqual(10);
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  await page.goto('/admin/audit?from=2000-01-01&to=2000-01-01');
  await expect(page.getByText('No audit entries match these filters.')).toBeVisible();
  await expect(page.getByTestId('audit-total')).toHaveText(/^0 entries/);
  await expect(page.getByLabel('From')).toHaveValue('2000-01-01');
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', '/api/admin/audit/export?from=2000-01-01&to=2000-01-01');
  const empty = parseCsv(await (await page.request.get('/api/admin/audit/export?from=2000-01-01&to=2000-01-01')).text());
  expect(empty).toEqual([COLUMNS]);
});

test('on a phone the table scrolls inside its own box, not the page', async ({ page, signInAs }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signInAs('carol@example.com');
  await page.goto('/admin/audit');
  await expect(page.getByTestId('audit-row').first()).toBeVisible();
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  const region = page.getByRole('region', { name: /Audit entries/ });
  expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
});

test('a member is refused the audit log and its export', async ({ page, signInAs }) => {
  await signInAs('alice@example.com');
  const response = await page.goto('/admin/audit');
  expect(response!.status()).toBe(403);
  await expect(page.getByRole('heading', { name: /don.t have access/ })).toBeVisible();
  const exported = await page.request.get('/api/admin/audit/export?action=auth.sign-in');
  expect(exported.status()).toBe(403);
  expect(await exported.text()).not.toContain('auth.sign-in');
});

test('a stranger gets 401 from the export', async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  expect((await anonymous.get('/api/admin/audit/export')).status()).toBe(401);
  await anonymous.dispose();
});

test('a member\'s enrollment is in the audit log with an intent before each AWS call; a lost-device reason with a control character is refused', async ({ page, signedInElsewhere }) => {
  const user = await createTestUser('audited');
  await signInWithKeys(page, user);
  await enrollVirtual(page, user);

  const adminPage = await signedInElsewhere('carol@example.com');

  await adminPage.goto('/admin/audit');
  // The filter offers the typed list, including acts nobody has done yet, and the intent outcome.
  await expect(adminPage.getByLabel('Action').locator('option[value="device.deactivate-lost"]')).toHaveCount(1);
  await expect(adminPage.getByLabel('Outcome').locator('option[value="intent"]')).toHaveCount(1);

  await adminPage.goto(`/admin/audit?action=enrollment.*&target=${encodeURIComponent(user.userName)}`);
  const rows = adminPage.getByTestId('audit-row');
  await expect(rows.first()).toBeVisible();
  expect(await rows.evaluateAll((rs) => rs.map((r) => `${r.getAttribute('data-action')} ${r.getAttribute('data-outcome')}`))).toEqual([
    'enrollment.virtual.complete success',
    'enrollment.virtual.complete success',
    'enrollment.virtual.complete intent',
    'enrollment.virtual.codes success',
    'enrollment.virtual.start success',
    'enrollment.virtual.start success',
    'enrollment.virtual.start intent',
  ]);
  await expect(rows.filter({ hasText: 'iam:EnableMFADevice' }).first()).toBeVisible();

  await ensureInventory(adminPage);
  await adminPage.goto(`/admin/users/${user.accountId}/${encodeURIComponent(user.userName)}`);
  await expect(adminPage.getByTestId('detail-state')).toHaveAttribute('data-state', 'enabled');
  await adminPage.getByText('Deactivate as lost').click();
  const form = adminPage.getByRole('form', { name: /as lost/ });
  await form.getByLabel(/Reason/).fill('phone lost,\tconfirmed by phone call');
  await form.getByLabel('I understand what will happen').check();
  await form.getByRole('button', { name: 'Deactivate device' }).click();
  await expect(form.getByText(/Remove the control character/)).toBeVisible();
  await adminPage.reload();
  await expect(adminPage.getByTestId('detail-state')).toHaveAttribute('data-state', 'enabled');
  await adminPage.goto(`/admin/audit?action=device.deactivate-lost&target=${encodeURIComponent(user.userName)}`);
  await expect(adminPage.getByText('No audit entries match these filters.')).toBeVisible();
});
