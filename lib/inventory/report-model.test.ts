import { describe, expect, it } from 'vitest';
import { buildValidationReport, type ReportEvent, type ReportUser } from './report-model';

const u = (userName: string, over: Partial<ReportUser> = {}): ReportUser => ({ accountId: '111111111111', userName, consoleAccess: true, mfaState: 'none', flags: [], devices: [], ...over });
const e = (userName: string, kind: string, serial: string, at: number, outcome: 'success' | 'failure' = 'success', deviceType: ReportEvent['deviceType'] = 'virtual'): ReportEvent => ({
  at: new Date(at),
  accountId: '111111111111',
  userName,
  kind,
  outcome,
  serial,
  deviceType,
  reason: outcome === 'failure' ? 'ConsoleSignInFailed' : null,
});

describe('validation report', () => {
  const users = [
    u('a', { mfaState: 'enabled', devices: [{ serial: 'arn:aws:iam::111111111111:mfa/a', type: 'virtual' }] }),
    u('b', { mfaState: 'enabled', devices: [{ serial: 'GAHT00000001', type: 'hardware' }] }),
    u('c'),
    u('svc-x', { flags: ['service-with-console'] }),
    u('d', { mfaState: 'leftover-only' }),
    u('api', { consoleAccess: false }),
  ];
  const events = [
    e('a', 'virtual.enabled', 'arn:aws:iam::111111111111:mfa/a', 1000),
    e('a', 'device.test-console', 'arn:aws:iam::111111111111:mfa/a', 2000, 'failure'),
    e('a', 'device.test-cli', 'arn:aws:iam::111111111111:mfa/a', 3000),
    e('b', 'hardware.enable', 'GAHT00000001', 1500, 'success', 'hardware'),
    e('gone', 'virtual.enabled', 'arn:aws:iam::111111111111:mfa/gone', 500),
  ];
  const r = buildValidationReport(users, events, new Date(5000), new Date(4000));

  it('counts in-scope console users, enabled and gaps', () => {
    expect(r.totals).toEqual({ inScope: 5, enabled: 2, exceptions: 0, outOfScope: 0, gaps: 3, coveragePct: 40 });
  });
  it('lists each gap with its remediation', () => {
    expect(r.gaps.map((g) => [g.userName, g.remediation])).toEqual([
      ['c', 'enroll'],
      ['d', 're-enroll'],
      ['svc-x', 'remove-console-password'],
    ]);
  });
  it('reports the latest sign-in test of each newly enrolled device still present', () => {
    expect(r.signInTests.map((t) => [t.userName, t.deviceType, t.test && [t.test.kind, t.test.passed]])).toEqual([
      ['b', 'hardware', null],
      ['a', 'virtual', ['cli', true]],
    ]);
  });
  it('names the device types still lacking a passed test', () => {
    expect(r.untestedDeviceTypes).toEqual(['hardware']);
  });
});
