import { readFile } from 'node:fs/promises';
import readExcelFile from 'read-excel-file/node';
import { strFromU8, unzipSync } from 'fflate';
import { parse } from 'csv-parse/sync';
import { expect, test } from './fixtures';
import { deleteInventoryUsers, insertInventoryUsers, sql } from './support/db';

const ACCOUNT = '222222222222';
const SECTIONS = ['summary', 'exceptions', 'out_of_scope', 'gaps', 'sign_in_tests', 'root_users', 'untested_device_types', 'unreachable_accounts'];

test('an admin downloads the validation report as a workbook and as a zip of CSVs, and both hold what the page shows', async ({ page, signInAs }) => {
  // A stored user without MFA, so that the gap section has a row this test knows.
  const userName = `report-export-${Date.now().toString(36)}`;
  await insertInventoryUsers([{ accountId: ACCOUNT, userName }]);
  try {
    await signInAs('carol@example.com');
    await page.goto('/admin/report');
    await page.getByRole('button', { name: 'Generate report now' }).click();
    await expect(page).toHaveURL(/\/admin\/report\?id=\d+/);
    const id = Number(new URL(page.url()).searchParams.get('id'));
    const gapRows = page.getByTestId('report-gaps').getByRole('row');
    await expect(gapRows.filter({ hasText: userName })).toHaveCount(1);
    const gapUsers = (await gapRows.locator('td:first-child').allInnerTexts()).map((t) => t.trim());
    const inScope = Number(await page.getByTestId('report-totals').locator('dt:text-is("In scope") + dd').innerText());

    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export workbook (XLSX)' }).click()]);
    expect(xlsx.suggestedFilename()).toBe(`mfa-validation-report-${id}.xlsx`);
    const sheets = await readExcelFile(await readFile((await xlsx.path())!));
    expect(sheets.map((s) => s.sheet)).toEqual(SECTIONS);
    const gaps = sheets.find((s) => s.sheet === 'gaps')!.data;
    expect(gaps[0]!.slice(0, 3)).toEqual(['account_id', 'user_name', 'mfa_state']);
    expect(gaps.slice(1).map((r) => r[1])).toEqual(gapUsers);
    expect(gaps.find((r) => r[1] === userName)!.slice(0, 3)).toEqual([ACCOUNT, userName, 'none']);
    const summary = sheets.find((s) => s.sheet === 'summary')!.data;
    expect(summary[1]![summary[0]!.indexOf('in_scope')]).toBe(inScope);
    expect(summary[1]![summary[0]!.indexOf('gaps')]).toBe(gapUsers.length);

    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV per section (zip)' }).click()]);
    expect(zip.suggestedFilename()).toBe(`mfa-validation-report-${id}.csv.zip`);
    const files = unzipSync(new Uint8Array(await readFile((await zip.path())!)));
    expect(Object.keys(files).sort()).toEqual(SECTIONS.map((s) => `${s}.csv`).sort());
    const csvGaps = parse(strFromU8(files['gaps.csv']!), { columns: true }) as Record<string, string>[];
    expect(csvGaps.map((g) => g.user_name)).toEqual(gapUsers);
    expect(csvGaps.find((g) => g.user_name === userName)).toMatchObject({ account_id: ACCOUNT, program_gap: 'no-mfa', remediation: 'enroll' });

    const audited = await sql<{ format: string }>(`SELECT detail->>'format' AS format FROM audit_log WHERE action = 'report.export' AND actor = 'carol@example.com' AND (detail->>'reportId')::bigint = $1 ORDER BY id`, [id]);
    expect(audited.map((a) => a.format)).toEqual(['xlsx', 'zip']);
  } finally {
    await deleteInventoryUsers(ACCOUNT, [userName]);
  }
});
