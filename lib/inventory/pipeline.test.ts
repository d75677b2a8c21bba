import { describe, expect, it } from 'vitest';
import { sampleReport } from '@/test-support/report-fixture';
import { countStatuses, exitCodeFor, formatSummary, parseReportArgs, toPipelineJson, userStatus, type PipelineUserRow } from './pipeline';

const row = (over: Partial<PipelineUserRow>): PipelineUserRow => ({ accountId: '111111111111', userName: 'u', consoleAccess: true, decision: 'required', exceptionExpired: false, programGap: null, flags: [], ...over });

describe('parseReportArgs', () => {
  it('defaults to the text summary and no threshold', () => {
    expect(parseReportArgs([])).toEqual({ args: { format: 'text', failOnGaps: null, help: false } });
    expect(parseReportArgs(['--format', 'json', '--fail-on-gaps', '0'])).toEqual({ args: { format: 'json', failOnGaps: 0, help: false } });
    expect(parseReportArgs(['--fail-on-gaps=12'])).toEqual({ args: { format: 'text', failOnGaps: 12, help: false } });
  });

  it('names what is wrong', () => {
    expect(parseReportArgs(['--fail-on-gaps', '1.5'])).toEqual({ error: '--fail-on-gaps must be a whole number of gaps (0 or more), not "1.5"' });
    expect(parseReportArgs(['--format', 'csv'])).toEqual({ error: '--format must be text or json, not "csv"' });
    expect(parseReportArgs(['extra'])).toHaveProperty('error', expect.stringContaining("'extra'"));
    expect(parseReportArgs(['--fail-on-gaps'])).toHaveProperty('error', expect.stringContaining('--fail-on-gaps'));
  });
});

describe('userStatus', () => {
  it('follows the report: no console first, then scope, then the decision', () => {
    expect(userStatus(row({ consoleAccess: false }))).toBe('no-console');
    expect(userStatus(row({ programGap: 'no-mfa' }))).toBe('gap');
    expect(userStatus(row({}))).toBe('compliant');
    // An expired exception is in scope again: a gap or compliant, not an exception.
    expect(userStatus(row({ decision: 'exception', exceptionExpired: true, programGap: 'needs-backup' }))).toBe('gap');
    expect(userStatus(row({ decision: 'exception' }))).toBe('exception');
    expect(userStatus(row({ decision: 'out-of-scope' }))).toBe('out-of-scope');
  });
});

describe('toPipelineJson', () => {
  it('has exactly generatedAt, totals and users (sorted), with a gap only for gaps and the stored flag codes', () => {
    const json = toPipelineJson(sampleReport, [
      row({ accountId: '222222222222', userName: 'b', programGap: 'disallowed-type', flags: ['several-devices'] }),
      row({ userName: 'a', decision: 'out-of-scope', programGap: null, flags: ['never-signed-in'] }),
    ]);
    expect(json).toEqual({
      generatedAt: sampleReport.generatedAt,
      totals: sampleReport.totals,
      users: [
        { accountId: '111111111111', userName: 'a', status: 'out-of-scope', gap: null, flags: ['never-signed-in'] },
        { accountId: '222222222222', userName: 'b', status: 'gap', gap: 'disallowed-type', flags: ['several-devices'] },
      ],
    });
    expect(countStatuses(json.users)).toEqual({ compliant: 0, gap: 1, exception: 0, 'out-of-scope': 1, 'no-console': 0 });
  });
});

describe('exitCodeFor', () => {
  it('1 only above the threshold, 3 whenever the inventory was incomplete', () => {
    expect(exitCodeFor(5, null, 'succeeded')).toBe(0);
    expect(exitCodeFor(5, 5, 'succeeded')).toBe(0);
    expect(exitCodeFor(6, 5, 'succeeded')).toBe(1);
    expect(exitCodeFor(0, 0, 'partial')).toBe(3);
    expect(exitCodeFor(0, null, 'failed')).toBe(3);
  });
});

describe('formatSummary', () => {
  it('gives the totals, unread accounts and each gap with its remediation', () => {
    const text = formatSummary(4, sampleReport, { runId: 9, status: 'partial', error: 'accounts failed: 333333333333', accountErrors: [{ accountId: '333333333333', error: 'AccessDenied (AccessDeniedException)' }] }, { compliant: 1, gap: 3, exception: 1, 'out-of-scope': 1, 'no-console': 7 });
    expect(text.split('\n').slice(0, 4)).toEqual([
      'MFA validation report #4, generated 2026-06-01T10:00:00.000Z (inventory run #9: partial)',
      'In scope 4: compliant 1, gaps 3 (coverage 25%)',
      'Exceptions in force 1, expired exceptions 1, out of scope 1, users without console access 7',
      'Account 333333333333 was not read: AccessDenied (AccessDeniedException) (its previous inventory is used)',
    ]);
    expect(text).toContain('  111111111111  bob: A backup device is required. Add a backup device: this category requires two.\n');
  });
});
