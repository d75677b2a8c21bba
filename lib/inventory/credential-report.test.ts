import { describe, expect, it } from 'vitest';
import { parseCredentialReport, parseReportDate, rootStatus } from './credential-report';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

const row = (f: Partial<Record<string, string>>) =>
  HEADER.split(',')
    .map((c) => f[c] ?? 'N/A')
    .join(',');

describe('parseCredentialReport', () => {
  it('reads users, root MFA, never-used passwords and the later key use', () => {
    const csv = [
      HEADER,
      row({ user: '<root_account>', arn: 'arn:aws:iam::111111111111:root', password_enabled: 'not_supported', mfa_active: 'true' }),
      row({ user: 'alice', arn: 'arn:aws:iam::111111111111:user/alice', user_creation_time: '2024-01-02T03:04:05+00:00', password_enabled: 'true', password_last_used: '2025-06-01T00:00:00+00:00', mfa_active: 'true' }),
      row({ user: 'bob', arn: 'arn:aws:iam::111111111111:user/bob', password_enabled: 'true', password_last_used: 'no_information', mfa_active: 'false', access_key_1_last_used_date: '2025-01-01T00:00:00+00:00', access_key_2_last_used_date: '2025-03-01T00:00:00+00:00' }),
      row({ user: 'carol', arn: 'arn:aws:iam::111111111111:user/carol', password_enabled: 'true', password_last_used: 'N/A', mfa_active: 'false' }),
      row({ user: 'svc-x', arn: 'arn:aws:iam::111111111111:user/svc-x', password_enabled: 'false', password_last_used: 'not_supported', mfa_active: 'false' }),
    ].join('\n');
    const report = parseCredentialReport(csv);
    expect(report.rootMfaActive).toBe(true);
    expect([...report.users.keys()]).toEqual(['alice', 'bob', 'carol', 'svc-x']);
    const alice = report.users.get('alice')!;
    expect(alice).toMatchObject({ passwordEnabled: true, passwordNeverUsed: false, mfaActive: true });
    expect(alice.passwordLastUsed?.toISOString()).toBe('2025-06-01T00:00:00.000Z');
    expect(alice.createdAt?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(report.users.get('bob')).toMatchObject({ passwordLastUsed: null, passwordNeverUsed: true, mfaActive: false });
    expect(report.users.get('bob')!.accessKeyLastUsed?.toISOString()).toBe('2025-03-01T00:00:00.000Z');
    expect(report.users.get('carol')).toMatchObject({ passwordLastUsed: null, passwordNeverUsed: true });
    expect(report.users.get('svc-x')).toMatchObject({ passwordEnabled: false, passwordNeverUsed: false, accessKeyLastUsed: null });
  });

  it('has no root MFA when the report has no root row', () => {
    const report = parseCredentialReport(`${HEADER}\n${row({ user: 'a', password_enabled: 'false', mfa_active: 'false' })}\n`);
    expect(report.rootMfaActive).toBeNull();
    expect(rootStatus(report.root, true)).toBe('not-reported');
  });

  it('reads the root row: MFA, sign-in on record, and "no root credentials" only where the organisation has centralized root access', () => {
    const rootOf = (r: Record<string, string>) =>
      parseCredentialReport(`${HEADER}\n${row({ user: '<root_account>', arn: 'arn:aws:iam::111111111111:root', password_enabled: 'not_supported', ...r })}\n`).root;
    expect(rootStatus(rootOf({ mfa_active: 'true' }), true)).toBe('mfa');
    const empty = rootOf({ mfa_active: 'false', password_last_used: 'no_information' });
    expect(empty).toMatchObject({ mfaActive: false, passwordLastUsed: null, accessKeysActive: false, certificatesActive: false });
    expect(rootStatus(empty, true)).toBe('no-root-credentials');
    // Without the organisation's word the same row is a root user without MFA (its password may just be unused).
    expect(rootStatus(empty, false)).toBe('no-mfa');
    expect(rootStatus(rootOf({ mfa_active: 'false', password_last_used: '2026-01-01T00:00:00+00:00' }), true)).toBe('no-mfa');
    expect(rootStatus(rootOf({ mfa_active: 'false', password_last_used: 'no_information', access_key_1_active: 'true' }), true)).toBe('no-mfa');
  });

  it('finds columns by name, handles CRLF, a BOM and quoted fields', () => {
    const csv = '\uFEFFmfa_active,"user",arn,password_enabled\r\ntrue,"we""ird, name",arn:x,"true"\r\n';
    const u = parseCredentialReport(csv).users.get('we"ird, name');
    expect(u).toMatchObject({ userName: 'we"ird, name', mfaActive: true, passwordEnabled: true });
  });

  it('rejects a report without the columns it needs', () => {
    expect(() => parseCredentialReport('user,arn\nalice,arn:x')).toThrow(/password_enabled/);
    expect(() => parseCredentialReport('')).toThrow(/empty/);
  });
});

describe('parseReportDate', () => {
  it('dates: the "nothing recorded" values are null', () => {
    for (const v of ['N/A', 'no_information', 'not_supported', '', undefined, 'garbage']) expect(parseReportDate(v)).toBeNull();
    expect(parseReportDate('2015-02-02T00:00:00+00:00')?.toISOString()).toBe('2015-02-02T00:00:00.000Z');
  });
});
