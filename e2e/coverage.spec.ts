import { expect, groundTruth, test } from './fixtures';
import { createTestUser } from './support/iam';
import { enrollVirtual, signInWithKeys } from './support/enroll';
import { parseCsv } from '../test-support/csv';

test.describe.configure({ mode: 'serial' });

type ExportRecord = {
  accountId: string;
  userName: string;
  passwordEnabled: boolean;
  mfaState: string;
  devices: { serial: string; type: string }[];
  flags: string[];
  inScope: boolean;
  programGap: string | null;
};


test('an admin refreshes the inventory and sees every seeded user as the ground truth says', async ({ page, signInAs }) => {
  test.setTimeout(180_000);
  await signInAs('carol@example.com');
  await page.goto('/admin');
  await page.getByRole('button', { name: 'Refresh inventory now' }).click();
  await expect(page.getByRole('main').getByRole('status').filter({ hasText: /Inventory refreshed/ })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('fig-console')).toBeVisible();

  const json = (await (await page.request.get('/api/admin/inventory/export?format=json')).json()) as ExportRecord[];
  const byKey = new Map(json.map((r) => [`${r.accountId}/${r.userName}`, r]));
  for (const u of groundTruth().users) {
    const r = byKey.get(`${u.accountId}/${u.userName}`);
    expect(r, u.userName).toBeDefined();
    expect(r!.passwordEnabled, u.userName).toBe(u.consoleAccess);
    expect(r!.mfaState, u.userName).toBe(u.mfaState);
    const truthSerials = u.devices.map((d) => d.serial).sort();
    const seen = r!.devices.map((d) => d.serial).sort();
    // Default mode lists a non-virtual device next to a virtual one only where the program's verdict depends on it.
    if (u.devices.some((d) => d.type === 'virtual')) {
      expect(seen.every((s) => truthSerials.includes(s)), u.userName).toBe(true);
      expect(u.devices.filter((d) => d.type === 'virtual').every((d) => seen.includes(d.serial)), u.userName).toBe(true);
    } else expect(seen, u.userName).toEqual(truthSerials);
  }

  // Other specs may have defined an enrollment program: scope and compliance come from it (the export carries both).
  const consoleUsers = json.filter((r) => r.passwordEnabled);
  const inScope = json.filter((r) => r.inScope);
  const gaps = inScope.filter((r) => r.programGap !== null);
  expect(inScope.every((r) => r.passwordEnabled)).toBe(true);
  await expect(page.getByTestId('fig-console')).toHaveText(String(consoleUsers.length));
  await expect(page.getByTestId('fig-in-scope')).toHaveText(String(inScope.length));
  await expect(page.getByTestId('fig-with')).toHaveText(String(inScope.length - gaps.length));
  await expect(page.getByTestId('fig-without')).toHaveText(String(gaps.length));
  // The no-mfa gap is a user without any device.
  expect(gaps.filter((r) => r.programGap === 'no-mfa').every((r) => r.mfaState !== 'enabled')).toBe(true);

  // Phishing-resistant: in scope with a security key or passkey.
  const phishingResistant = inScope.filter((r) => r.devices.some((d) => d.type === 'fido')).length;
  await expect(page.getByTestId('fig-phishing-resistant-count')).toHaveText(`${phishingResistant} of ${inScope.length} in scope with a security key or passkey`);
  // Root users from the report's root row: the account without root credentials is not applicable, not a gap.
  const freshness = page.getByRole('region', { name: 'Freshness' }).or(page.locator('[aria-labelledby="sources-heading"]'));
  for (const a of groundTruth().accounts) {
    const want = { mfa: 'MFA on', 'no-mfa': 'no MFA', 'no-root-credentials': 'not applicable: no root credentials (centralized root access)' }[a.root ?? 'mfa'];
    await expect(freshness.getByRole('listitem').filter({ hasText: `(${a.id})` }).getByTestId('root-status')).toHaveText(want);
  }
});

test('flags carry their evidence, and the page, the gap list and the report give a person\'s advice', async ({ page, signInAs }) => {
  test.setTimeout(180_000);
  // Created a moment ago, never signed in: "not signed in yet", told to enroll, nothing about removing anything.
  const fresh = await createTestUser('new', { consolePassword: true });
  await signInAs('carol@example.com');
  await page.goto('/admin');
  await page.getByRole('button', { name: 'Refresh inventory now' }).click();
  await expect(page.getByRole('main').getByRole('status').filter({ hasText: /Inventory refreshed/ })).toBeVisible({ timeout: 120_000 });

  const userPage = (accountId: string, userName: string) => page.goto(`/admin/users/${accountId}/${encodeURIComponent(userName)}`);
  await userPage(fresh.accountId, fresh.userName);
  await expect(page.getByTestId('program-status')).toHaveAttribute('data-status', 'gap');
  await expect(page.getByTestId('user-advice')).toHaveAttribute('data-remediation', 'enroll');
  await expect(page.getByTestId('user-advice')).toHaveText('Enroll an MFA device (the owner signs in to the portal).');
  await expect(page.getByTestId('user-note')).toContainText(/^Not signed in yet: created \d{1,2} \w{3} \d{4} \(0 days ago\); no console sign-in yet/);
  const freshFlags = page.getByTestId('flag-evidence');
  await expect(freshFlags.locator('li')).toHaveCount(1);
  await expect(freshFlags.locator('li[data-flag="not-signed-in-yet"]')).toContainText('created within the last 90 days and not signed in yet: not stale');
  await expect(freshFlags.locator('li[data-flag="not-signed-in-yet"]')).toContainText('MFA_STALE_CONSOLE_DAYS=90');
  await expect(page.getByRole('main')).not.toContainText(/remove the (console )?password/i);

  // carol, a human admin with access keys who signed in lately: no service-user verdict, no "remove the password".
  const carol = groundTruth().users.find((u) => u.userName === 'carol')!;
  await userPage(carol.accountId, 'carol');
  await expect(page.getByRole('heading', { name: 'Flags and their evidence' })).toBeVisible();
  await expect(page.getByTestId('program-status')).toHaveAttribute('data-status', /^(compliant|gap)$/);
  const carolStatus = await page.getByTestId('program-status').getAttribute('data-status');
  // The banner is there exactly when the status line says gap, and then it asks for a device.
  await expect(page.getByTestId('user-advice')).toHaveCount(carolStatus === 'gap' ? 1 : 0);
  if (carolStatus === 'gap') await expect(page.getByTestId('user-advice')).toHaveAttribute('data-remediation', /^(enroll|enroll-allowed-type|add-backup)$/);
  await expect(page.locator('li[data-flag="service-with-console"], li[data-flag="possible-service-user"]')).toHaveCount(0);
  await expect(page.getByRole('main')).not.toContainText(/remove the (console )?password|service user/i);

  // frank has not used the console for 150 days: stale, with the evidence, and advice a human admin would take.
  const frank = groundTruth().users.find((u) => u.userName === 'frank')!;
  await userPage(frank.accountId, 'frank');
  await expect(page.getByTestId('program-status')).toHaveText('Gap: No MFA device');
  const advice = page.getByTestId('user-advice');
  await expect(advice).toHaveAttribute('data-remediation', 'confirm-stale-console');
  await expect(advice).toContainText(/^Console access unused \(password last used .* \(150 days before .*\); created .* \(900 days ago\)\): confirm with the owner/);
  await expect(page.locator('li[data-flag="stale-console"]')).toContainText('console password unused for 90 days or more, by a user older than that');
  const frankAdvice = await advice.innerText();

  // The dashboard's gap list and the validation report say the same about him.
  await page.goto('/admin/users?q=frank&mfa=gap');
  await expect(page.locator(`[data-user="${frank.accountId}/frank"]`)).toContainText('Stale console access');
  await page.goto('/admin/report');
  await page.getByRole('button', { name: 'Generate report now' }).click();
  await expect(page).toHaveURL(/\/admin\/report\?id=\d+/);
  const frankRow = page.getByTestId('report-gaps').getByRole('row').filter({ has: page.getByRole('link', { name: 'frank', exact: true }) });
  await expect(frankRow).toContainText(frankAdvice);
  await expect(frankRow.getByTestId('report-flag-evidence')).toContainText(/^Flags: Stale console access \(password last used .* \(150 days before/);
  const id = new URL(page.url()).searchParams.get('id');
  const report = (await (await page.request.get(`/api/admin/report/${id}?format=json`)).json()) as {
    gaps: { accountId: string; userName: string; remediation: string; remediationText: string; flagEvidence: { flag: string; facts: string }[]; notes: string[] }[];
  };
  const frankGap = report.gaps.find((g) => g.accountId === frank.accountId && g.userName === 'frank')!;
  expect(frankGap).toMatchObject({ remediation: 'confirm-stale-console', remediationText: frankAdvice });
  expect(frankGap.flagEvidence.map((e) => e.flag)).toContain('stale-console');
  const freshGap = report.gaps.find((g) => g.userName === fresh.userName)!;
  expect(freshGap.remediation).toBe('enroll');
  expect(freshGap.notes[0]).toMatch(/^Not signed in yet/);
  expect(report.gaps.some((g) => g.userName === 'carol' && g.remediation === 'remove-console-password')).toBe(false);

  // The exports carry the same status, advice and evidence.
  const json = (await (await page.request.get(`/api/admin/inventory/export?format=json&q=frank`)).json()) as { accountId: string; userName: string; status: string; advice: string; flagEvidence: { flag: string }[] }[];
  expect(json.find((r) => r.accountId === frank.accountId && r.userName === 'frank')).toMatchObject({ status: 'gap', advice: frankAdvice });
});

test('exports parse and match the table, with and without filters', async ({ page, signInAs }) => {
  await signInAs('carol@example.com');
  for (const query of ['', 'mfa=gap', `account=${groundTruth().accounts[0]!.id}&console=yes`]) {
    await page.goto(`/admin/users?${query}`);
    const total = Number((await page.getByTestId('users-total').innerText()).match(/^(\d+) user/)![1]);
    const csv = parseCsv(await (await page.request.get(`/api/admin/inventory/export?format=csv&${query}`)).text());
    const json = (await (await page.request.get(`/api/admin/inventory/export?format=json&${query}`)).json()) as ExportRecord[];
    expect(csv[0]).toContain('user_name');
    expect(csv.length - 1, query).toBe(total);
    expect(json.length, query).toBe(total);
    const userCol = csv[0]!.indexOf('user_name');
    const accountCol = csv[0]!.indexOf('account_id');
    expect(csv.slice(1).map((r) => `${r[accountCol]}/${r[userCol]}`).sort()).toEqual(json.map((r) => `${r.accountId}/${r.userName}`).sort());
    const firstRows = await page.getByTestId('user-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')));
    expect(firstRows.every((k) => json.some((r) => `${r.accountId}/${r.userName}` === k))).toBe(true);
  }
  await page.goto('/admin/users?mfa=gap');
  const gaps = await page.getByTestId('row-state').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-gap')));
  expect(gaps.length).toBeGreaterThan(0);
  expect(gaps.every((g) => ['no-mfa', 'disallowed-type', 'needs-backup'].includes(g ?? ''))).toBe(true);
});

test('an enrollment through the portal shows on the dashboard without a refresh, and an admin can deactivate a lost device', async ({ page, signedInElsewhere }) => {
  const user = await createTestUser('fresh');
  await signInWithKeys(page, user);
  await enrollVirtual(page, user);

  const adminPage = await signedInElsewhere('carol@example.com');
  await adminPage.goto(`/admin/users?q=${user.userName}`);
  await expect(adminPage.getByTestId('row-state')).toHaveAttribute('data-state', 'enabled');

  await adminPage.getByRole('link', { name: user.userName }).click();
  await expect(adminPage.getByTestId('detail-state')).toHaveAttribute('data-state', 'enabled');
  await adminPage.getByText('Deactivate as lost').click();
  const form = adminPage.getByRole('form', { name: /as lost/ });
  await form.getByLabel(/Reason/).fill('phone lost, confirmed by phone call');
  await form.getByLabel('I understand what will happen').check();
  await form.getByRole('button', { name: 'Deactivate device' }).click();
  await expect(adminPage.getByRole('main').getByRole('status').filter({ hasText: /can now enroll a new device/ })).toBeVisible();
  await expect(adminPage.getByTestId('detail-state')).toHaveAttribute('data-state', 'none');
  await expect(adminPage.getByText('device.removed')).toBeVisible();
});

test('the validation report matches the dashboard, lists sign-in tests, and exports', async ({ page, signedInElsewhere }) => {
  const user = await createTestUser('tested');
  await signInWithKeys(page, user);
  await enrollVirtual(page, user);
  await page.goto('/devices');
  await page.getByRole('button', { name: /^Test / }).click();
  const consoleForm = page.getByRole('form', { name: /console sign-in test/ });
  await consoleForm.getByLabel('Yes, I signed in').check();
  await consoleForm.getByRole('button', { name: 'Record result' }).click();
  await expect(consoleForm.getByRole('status')).toHaveText(/works/);
  // The local stack reports that sign-in as AWS CloudTrail would (ConsoleLogin, MFAUsed: Yes); the portal's event
  // consumer stores it as evidence, which the member's page shows and the report prefers over the recorded test.
  await expect
    .poll(async () => {
      await page.goto('/');
      return page.getByTestId('console-mfa-seen').innerText();
    }, { timeout: 20_000 })
    .toMatch(/^Seen at .* \(AWS CloudTrail\)$/);

  const adminPage = await signedInElsewhere('carol@example.com');
  const dashboardFigures = async (): Promise<[string, string]> => {
    await adminPage.goto('/admin');
    return [await adminPage.getByTestId('fig-in-scope').innerText(), await adminPage.getByTestId('fig-with').innerText()];
  };
  // Other tests running beside this one create IAM users straight in moto, and the event consumer adds them to the
  // stored inventory as they come. The report must equal the dashboard when nothing changed while it was generated:
  // read the figures before and after, and generate again when they moved.
  let inScope = '';
  let withMfa = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await dashboardFigures();
    await adminPage.goto('/admin/report');
    await adminPage.getByRole('button', { name: 'Generate report now' }).click();
    await expect(adminPage).toHaveURL(/\/admin\/report\?id=\d+/);
    const reportUrl = adminPage.url();
    const after = await dashboardFigures();
    await adminPage.goto(reportUrl);
    [inScope, withMfa] = before;
    if (before.join() === after.join()) break;
  }
  const totals = adminPage.getByTestId('report-totals');
  await expect(totals).toContainText(`In scope${inScope}`);
  await expect(totals).toContainText(`Compliant${withMfa}`);
  const gaps = await adminPage.getByTestId('report-gaps').getByRole('row').count();
  expect(gaps).toBe(Number(inScope) - Number(withMfa));
  await expect(adminPage.getByTestId('report-tests').getByRole('row').filter({ hasText: user.userName })).toContainText(/Console sign-in with MFA seen at .* \(CloudTrail\)/);

  const id = new URL(adminPage.url()).searchParams.get('id');
  const json = await (await adminPage.request.get(`/api/admin/report/${id}?format=json`)).json();
  expect(json.totals.inScope).toBe(Number(inScope));
  expect(json.signInTests).toContainEqual(expect.objectContaining({ userName: user.userName, deviceType: 'virtual', test: expect.objectContaining({ kind: 'console', passed: true }) }));
  const csv = await (await adminPage.request.get(`/api/admin/report/${id}?format=csv`)).text();
  expect(csv.split('\r\n').filter((l) => l.startsWith('gap,')).length).toBe(gaps);
});
