import { describe, expect, it } from 'vitest';
import { DAY_MS } from './reminder-plan';
import { EXCEPTION_END_STEP, exceptionEndDue, exceptionEndMessage } from './exception-end';
import { stepLabel } from './reminder-plan';

const NOW = new Date('2026-12-05T08:00:00Z');
const at = (days: number) => new Date(NOW.getTime() + days * DAY_MS);

describe('the reminder before an exception ends', () => {
  it('is due from 14 days before the end until the end, not earlier and not after', () => {
    expect(exceptionEndDue(at(14), NOW)).toBe(true);
    expect(exceptionEndDue(at(13), NOW)).toBe(true);
    expect(exceptionEndDue(at(0.01), NOW)).toBe(true);
    expect(exceptionEndDue(at(14.01), NOW)).toBe(false);
    expect(exceptionEndDue(at(20), NOW)).toBe(false);
    expect(exceptionEndDue(NOW, NOW)).toBe(false);
    expect(exceptionEndDue(at(-1), NOW)).toBe(false);
  });
  it('has its own step, which the reminders page names', () => {
    expect(EXCEPTION_END_STEP).toBe('exception-14d');
    expect(stepLabel(EXCEPTION_END_STEP)).toBe('Exception ends in 14 days');
  });
  it('says which user, when it ends and what to do, in the email and the webhook; markup in names is escaped', () => {
    const m = exceptionEndMessage({ accountId: '111111111111', accountLabel: 'Prod <1>', userName: 'ops-bot', categoryName: null, expiresAt: new Date('2026-12-19T00:00:00Z'), link: 'https://portal.example.com/enroll?user=111111111111/ops-bot', ownerEmail: 'owner@example.com' });
    expect(m.subject).toBe('The MFA exception for ops-bot ends on 19 Dec 2026');
    expect(m.text).toContain('MFA is required again');
    expect(m.html).toContain('Prod &#60;1&#62;');
    expect(m.webhook.text).toContain('(owner: owner@example.com)');
    expect(JSON.stringify(m.webhook.blocks)).toContain('Prod &lt;1&gt;');
  });
});
