import { describe, expect, it } from 'vitest';
import { emailRecipients, escalateStepsSchema, isEscalatedStep, resolveAccountContact, resolveOwner } from './escalation';

describe('isEscalatedStep', () => {
  it('by default (1) escalates only the last step, the one closest to the deadline', () => {
    expect([14, 7, 1].map((d) => isEscalatedStep(d, [14, 7, 1], 1))).toEqual([false, false, true]);
  });
  it('escalates the last N steps, whatever order the days are stored in', () => {
    expect([14, 7, 1].map((d) => isEscalatedStep(d, [1, 14, 7], 2))).toEqual([false, true, true]);
    expect([14, 7, 1].map((d) => isEscalatedStep(d, [14, 7, 1], 6))).toEqual([true, true, true]);
  });
  it('never escalates with 0, or a step not in the days (a manual send)', () => {
    expect([14, 7, 1].map((d) => isEscalatedStep(d, [14, 7, 1], 0))).toEqual([false, false, false]);
    expect(isEscalatedStep(3, [14, 7, 1], 1)).toBe(false);
  });
  it('accepts 0 to 6 steps', () => {
    expect(escalateStepsSchema.parse('2')).toBe(2);
    for (const bad of ['-1', '7', '1.5', 'x']) expect(escalateStepsSchema.safeParse(bad).success, bad).toBe(false);
  });
});

describe('recipients', () => {
  const user = { email: 'bob@example.com' };
  it('is only the user without escalation', () => {
    expect(emailRecipients(user, null)).toEqual([{ role: 'user', to: user }]);
  });
  it('adds the owner and the account contact when escalated', () => {
    expect(emailRecipients(user, { owner: { email: 'lead@example.com' }, account: { email: 'dev@example.com' } }).map((r) => [r.role, r.to.email])).toEqual([
      ['user', 'bob@example.com'],
      ['owner', 'lead@example.com'],
      ['account', 'dev@example.com'],
    ]);
  });
  it('reaches each address once, whatever the case', () => {
    expect(emailRecipients(user, { owner: { email: 'Bob@Example.com' }, account: { email: 'dev@example.com' } }).map((r) => r.role)).toEqual(['user', 'account']);
    expect(emailRecipients(user, { owner: { email: 'lead@example.com' }, account: { email: 'LEAD@example.com' } }).map((r) => r.role)).toEqual(['user', 'owner']);
  });
  it('keeps a role that has no address, with its reason, so the record says why', () => {
    const r = emailRecipients(user, { owner: { email: null, reason: 'none' }, account: { email: 'dev@example.com' } });
    expect(r[1]).toEqual({ role: 'owner', to: { email: null, reason: 'none' } });
  });
});

describe('resolveOwner and resolveAccountContact', () => {
  const mapping = new Map([['platform team', 'platform@example.com']]);
  it('takes an address in the tag as it is', () => {
    expect(resolveOwner({ Owner: ' lead@example.com ' }, 'Owner', mapping)).toEqual({ name: 'lead@example.com', to: { email: 'lead@example.com' } });
  });
  it('maps a name, case-insensitively, and says when a name has no address', () => {
    expect(resolveOwner({ Owner: 'Platform Team' }, 'Owner', mapping).to).toEqual({ email: 'platform@example.com' });
    expect(resolveOwner({ Owner: 'Nobody' }, 'Owner', mapping).to).toMatchObject({ email: null, reason: expect.stringContaining('“Nobody”') });
  });
  it('reads only the configured tag key', () => {
    expect(resolveOwner({ owner: 'lead@example.com' }, 'Owner', mapping)).toMatchObject({ name: null, to: { email: null } });
    expect(resolveOwner({ team: 'platform team' }, 'team', mapping).to).toEqual({ email: 'platform@example.com' });
  });
  it('finds an account contact or says where to add one', () => {
    const contacts = new Map([['222222222222', 'dev@example.com']]);
    expect(resolveAccountContact('222222222222', contacts)).toEqual({ email: 'dev@example.com' });
    expect(resolveAccountContact('333333333333', contacts)).toMatchObject({ email: null, reason: expect.stringContaining('333333333333') });
  });
});
