import { describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/auth/types';
import { checklistSchema, decisionRefusal, graceEndsAt, graceHoursSchema, missingChecks } from './rules';

const actor = (over: Partial<Actor> = {}): Actor => ({
  id: 'carol@example.com',
  email: 'carol@example.com',
  name: 'Carol',
  method: 'oidc',
  roles: ['member', 'admin'],
  principals: [{ accountId: '111111111111', userName: 'carol', arn: 'arn:aws:iam::111111111111:user/carol' }],
  authTime: 0,
  ...over,
});
const request = { accountId: '111111111111', userName: 'bob', reportedBy: 'bob@example.com', status: 'reported' };

describe('checklist the security team sets', () => {
  it('reads one check per line, trimmed, blank lines dropped', () => {
    expect(checklistSchema.parse('  Called them back on the desk phone \r\n\n Saw their badge on video ')).toEqual(['Called them back on the desk phone', 'Saw their badge on video']);
  });
  it('refuses an empty list, more than ten checks, a check too short or too long, and repeats in any letter case', () => {
    expect(checklistSchema.safeParse(' \n ').success).toBe(false);
    expect(checklistSchema.safeParse(Array.from({ length: 11 }, (_, i) => `Check number ${i}`).join('\n')).success).toBe(false);
    expect(checklistSchema.safeParse('ok').success).toBe(false);
    expect(checklistSchema.safeParse('x'.repeat(201)).success).toBe(false);
    expect(checklistSchema.safeParse('Saw their badge\nsaw their BADGE').success).toBe(false);
  });
  it('refuses control characters', () => {
    expect(checklistSchema.safeParse('Saw their\u0000 badge').success).toBe(false);
  });
});

describe('ticking the checklist', () => {
  const required = ['Saw their badge on video', 'Called their manager'];
  it('is complete only when every required check is ticked', () => {
    expect(missingChecks(required, ['Called their manager', 'Saw their badge on video'])).toEqual([]);
    expect(missingChecks(required, ['Called their manager'])).toEqual(['Saw their badge on video']);
    expect(missingChecks(required, [])).toEqual(required);
  });
  it('does not count a check with other wording, or an extra check, as a required one', () => {
    expect(missingChecks(required, ['saw their badge on video', 'Called their manager', 'Something else'])).toEqual(['Saw their badge on video']);
  });
});

describe('grace hours', () => {
  it('are whole hours from 1 to the cap', () => {
    expect(graceHoursSchema(24).parse('24')).toBe(24);
    expect(graceHoursSchema(24).safeParse('25').success).toBe(false);
    expect(graceHoursSchema(48).safeParse('0').success).toBe(false);
    expect(graceHoursSchema(48).safeParse('1.5').success).toBe(false);
  });
  it('never end beyond the cap, even if a larger value was stored before the cap was lowered', () => {
    const now = new Date('2026-12-05T10:00:00Z');
    expect(graceEndsAt(now, 24, 168).toISOString()).toBe('2026-12-06T10:00:00.000Z');
    expect(graceEndsAt(now, 72, 24).toISOString()).toBe('2026-12-06T10:00:00.000Z');
  });
  it('end on a whole minute, rounded down (never past the hours given)', () => {
    expect(graceEndsAt(new Date('2026-12-05T10:07:59.999Z'), 24, 24).toISOString()).toBe('2026-12-06T10:07:00.000Z');
  });
});

describe('who may decide a request', () => {
  it('allows an admin who is neither the reporter nor an owner of the IAM user', () => {
    expect(decisionRefusal(actor(), request)).toBeNull();
  });
  it('refuses a member who is not an admin', () => {
    expect(decisionRefusal(actor({ roles: ['member'] }), request)?.code).toBe('Forbidden');
  });
  it('refuses the reporter, by sign-in id or email, in any letter case', () => {
    expect(decisionRefusal(actor({ id: 'bob@example.com', email: 'bob@example.com' }), request)?.code).toBe('SelfApproval');
    expect(decisionRefusal(actor({ id: 'BOB@example.com', email: null }), request)?.code).toBe('SelfApproval');
    const arn = 'arn:aws:iam::111111111111:user/bob';
    expect(decisionRefusal(actor({ id: arn, email: null, method: 'aws-keys' }), { ...request, reportedBy: arn })?.code).toBe('SelfApproval');
  });
  it('refuses an owner of the IAM user who did not report it (a second sign-in of the same person)', () => {
    const owner = actor({ principals: [{ accountId: '111111111111', userName: 'bob', arn: 'arn:aws:iam::111111111111:user/bob' }] });
    expect(decisionRefusal(owner, request)?.code).toBe('OwnIamUser');
  });
  it('refuses a request that is no longer waiting', () => {
    for (const status of ['approved', 'rejected', 'cancelled', 'completed', 'expired']) expect(decisionRefusal(actor(), { ...request, status })?.code).toBe('NotOpen');
  });
});
