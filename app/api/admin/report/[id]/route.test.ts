import { beforeEach, describe, expect, it, vi } from 'vitest';
import { encode } from 'next-auth/jwt';
import { NextRequest } from 'next/server';
import readExcelFile from 'read-excel-file/node';
import { strFromU8, unzipSync } from 'fflate';
import { parse } from 'csv-parse/sync';
import type { PortalIdentity, Role } from '@/lib/auth/types';
import { sampleReport } from '@/test-support/report-fixture';
import { setTestEnv } from '@/test-support/env';

// The route's cookie check is the real one (a next-auth JWT cookie, decoded with the configured secret); the session
// rows it names, the stored report and the audit writer behind it are stand-ins, since this unit test has no database.
const SECRET = 'unit-test-secret-with-at-least-32-chars';
setTestEnv({
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: SECRET,
  MFA_ACCOUNTS: '111111111111,222222222222',
  MFA_ROLE_GROUPS_ACCOUNTS: '111111111111',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
  MFA_AWS_KEYS_SIGNIN: 'true',
});

const audit = vi.hoisted(() => ({ rows: [] as Record<string, unknown>[] }));
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
vi.mock('@/lib/audit/log', () => ({ recordAudit: async (_db: unknown, row: Record<string, unknown>) => void audit.rows.push(row) }));
const sessions = vi.hoisted(() => new Map<string, PortalIdentity>());
vi.mock('@/lib/auth/sessions', () => ({
  resolveSession: async (_db: unknown, sid: string) => {
    const identity = sessions.get(sid);
    return identity ? { ...identity, authTime: 0 } : null;
  },
}));
vi.mock('@/lib/inventory/report', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/inventory/report')>();
  const { sampleReport: stored } = await import('@/test-support/report-fixture');
  return { ...real, getValidationReport: async (_actor: unknown, id: number) => (id === 7 ? stored : null) };
});

const { GET } = await import('./route');

const identity = (roles: Role[]): PortalIdentity => ({ id: `${roles.at(-1)}@example.com`, email: `${roles.at(-1)}@example.com`, name: 'Someone', method: 'oidc', roles, principals: [] });

async function get(path: string, roles: Role[] | null) {
  const headers = new Headers();
  if (roles) {
    const sid = `session-${roles.join('-')}`;
    sessions.set(sid, identity(roles));
    headers.set('cookie', `next-auth.session-token=${await encode({ token: { sid, authTime: Math.floor(Date.now() / 1000) }, secret: SECRET })}`);
  }
  const request = new NextRequest(`http://127.0.0.1:3000${path}`, { headers });
  const id = path.split('/').pop()!.split('?')[0]!;
  return GET(request, { params: Promise.resolve({ id }) });
}

beforeEach(() => {
  audit.rows = [];
});

const FORMATS = ['json', 'csv', 'xlsx', 'zip'] as const;

describe('GET /api/admin/report/[id]', () => {
  for (const format of FORMATS) {
    it(`${format}: 401 without a session, 403 for a member, nothing audited`, async () => {
      expect((await get(`/api/admin/report/7?format=${format}`, null)).status).toBe(401);
      expect((await get(`/api/admin/report/7?format=${format}`, ['member'])).status).toBe(403);
      expect(audit.rows).toEqual([]);
    });
  }

  it('xlsx: an admin gets the workbook, named and typed as one, and the download is audited', async () => {
    const res = await get('/api/admin/report/7?format=xlsx', ['member', 'admin']);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="mfa-validation-report-7.xlsx"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const sheets = await readExcelFile(Buffer.from(await res.arrayBuffer()));
    expect(sheets.map((s) => s.sheet)).toEqual(['summary', 'exceptions', 'out_of_scope', 'gaps', 'sign_in_tests', 'root_users', 'untested_device_types', 'unreachable_accounts']);
    expect(sheets.find((s) => s.sheet === 'gaps')!.data.slice(1).map((r) => r[1])).toEqual(sampleReport.gaps.map((g) => g.userName));
    expect(audit.rows).toEqual([{ actor: 'admin@example.com', action: 'report.export', target: 'report:7', outcome: 'success', detail: { reportId: 7, format: 'xlsx' } }]);
  });

  it('zip: a security admin (above admin) gets one CSV per section, and the download is audited', async () => {
    const res = await get('/api/admin/report/7?format=zip', ['member', 'admin', 'security']);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="mfa-validation-report-7.csv.zip"');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const gaps = parse(strFromU8(files['gaps.csv']!), { columns: true }) as Record<string, string>[];
    expect(gaps.map((g) => g.user_name)).toEqual(sampleReport.gaps.map((g) => g.userName));
    expect(audit.rows).toMatchObject([{ action: 'report.export', actor: 'security@example.com', detail: { format: 'zip' } }]);
  });

  it('json and csv stay, and are audited too', async () => {
    const json = await get('/api/admin/report/7?format=json', ['member', 'admin']);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await json.json()).totals).toEqual(sampleReport.totals);
    const csv = await get('/api/admin/report/7?format=csv', ['member', 'admin']);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="mfa-validation-report-7.csv"');
    expect((await csv.text()).split('\r\n').filter((l) => l.startsWith('gap,'))).toHaveLength(sampleReport.gaps.length);
    expect(audit.rows.map((r) => (r.detail as { format: string }).format)).toEqual(['json', 'csv']);
  });

  it('an unknown format or report is refused after authorization, and not audited', async () => {
    const admin: Role[] = ['member', 'admin'];
    expect((await get('/api/admin/report/7?format=xls', admin)).status).toBe(400);
    expect((await get('/api/admin/report/8?format=xlsx', admin)).status).toBe(404);
    expect((await get('/api/admin/report/abc?format=xlsx', admin)).status).toBe(400);
    // Numbers no integer column holds never reach the query (it would fail as a 500).
    for (const id of ['1e30', '9223372036854775296', '2147483648', '-7', '7.0'])
      expect((await get(`/api/admin/report/${id}?format=json`, admin)).status, id).toBe(400);
    expect(audit.rows).toEqual([]);
  });
});
