import { describe, expect, it } from 'vitest';
import { buildDigestMessage, digestWebhookPayload, isoWeek, newGapsOf, LISTED, type DigestFacts } from './digest-model';

describe('isoWeek', () => {
  it.each([
    ['2026-12-05T10:00:00Z', '2026-W49'],
    ['2026-11-30T00:00:00Z', '2026-W49'], // Monday starts the week
    ['2026-11-29T23:59:59Z', '2026-W48'], // Sunday ends the one before
    ['2027-01-01T12:00:00Z', '2026-W53'], // a Friday: still 2026's last week
    ['2027-01-04T00:00:00Z', '2027-W01'],
    ['2024-12-30T00:00:00Z', '2025-W01'], // a Monday in December that is next year's week 1
  ])('%s is %s', (at, week) => {
    expect(isoWeek(new Date(at))).toBe(week);
  });
});

const facts = (over: Partial<DigestFacts> = {}): DigestFacts => ({
  week: '2026-W49',
  generatedAt: new Date('2026-11-30T07:00:00Z'),
  portalUrl: 'https://mfa.example.org',
  cohorts: [{ cohort: 'wave-1', deadline: new Date('2026-12-15T00:00:00Z'), inScope: 7, enrolled: 4, remaining: 3, projectionText: '4 days late' }],
  gaps: [
    { accountId: '111111111111', userName: 'e4', cohort: 'wave-1' },
    { accountId: '111111111111', userName: 'new<one>', cohort: 'wave-1' },
  ],
  previous: { week: '2026-W48', gaps: ['111111111111/e4', '111111111111/gone'] },
  endingExceptions: [{ accountId: '111111111111', userName: 'bob', category: 'Engineers', expiresAt: new Date('2026-12-10T00:00:00Z') }],
  pending: {
    extensions: { available: true, count: 2 },
    recoveries: { available: false, reason: 'Not available: no recovery_requests table.' },
    exceptions: { available: true, count: 0 },
    graces: { available: true, count: 1 },
  },
  ...over,
});

describe('newGapsOf', () => {
  it('is the gaps that were not gaps in the last digest', () => {
    expect(newGapsOf(facts()).map((g) => g.userName)).toEqual(['new<one>']);
  });
  it('is every gap when there was no earlier digest', () => {
    expect(newGapsOf(facts({ previous: null }))).toHaveLength(2);
  });
});

describe('buildDigestMessage', () => {
  it('has the burndown per cohort, the new gaps, the ending exceptions and each pending figure or why it is missing', () => {
    const m = buildDigestMessage(facts());
    expect(m.subject).toBe('MFA campaign digest, week 2026-W49: 3 users remaining in 1 cohort');
    expect(m.text).toContain('- wave-1 (deadline 15 Dec 2026): 4 of 7 enrolled, 3 remaining; 4 days late');
    expect(m.text).toContain('New gaps since last week (compared with 2026-W48): 1\n- 111111111111 new<one> (wave-1)');
    expect(m.text).not.toContain('111111111111 e4');
    expect(m.text).toContain('Exceptions ending in the next 14 days: 1\n- 111111111111 bob, Engineers: ends 10 Dec 2026');
    expect(m.text).toContain('- Extension requests waiting: 2');
    expect(m.text).toContain('- Lost-device reports waiting: Not available: no recovery_requests table.');
    expect(m.text).toContain('The campaign: https://mfa.example.org/admin/campaign');
  });
  it(`lists at most ${LISTED} people per section and says how many more`, () => {
    const gaps = Array.from({ length: LISTED + 3 }, (_, i) => ({ accountId: '111111111111', userName: `u${i}`, cohort: null }));
    const m = buildDigestMessage(facts({ gaps, previous: null }));
    expect(m.text).toContain(`Gaps (no earlier digest to compare with): ${LISTED + 3}`);
    expect(m.text).toContain('- … and 3 more: see the campaign page.');
    expect(m.text).not.toContain(`u${LISTED}\n`);
  });
});

describe('digestWebhookPayload', () => {
  it('escapes Slack markup in names', () => {
    const p = digestWebhookPayload(buildDigestMessage(facts()));
    expect(p.text).toContain('week 2026-W49');
    expect(JSON.stringify(p.blocks)).toContain('new&lt;one&gt;');
    expect(JSON.stringify(p.blocks)).not.toContain('new<one>');
  });
});
