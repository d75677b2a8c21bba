import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONTROL_CHARACTER_MESSAGE } from '@/lib/actions/free-text';
import { approvalRefusal, categoryInputSchema, decisionInputSchema, decisionProblems, exceptionRequestSchema, exceptionVerdictSchema, keptException, oneYearFrom, parseUtc, requestProblems, type DecisionInput } from './program-input';

const NOW = new Date('2026-11-26T12:00:00Z');
const base = {
  name: 'Production administrators',
  selectorKind: 'group',
  selectorValue: 'prod-admins',
  defaultDecision: 'required',
  allow_hardware: 'on',
  allow_fido: 'on',
  deadline: '2027-01-31T17:00',
  cohort: 'prod-admins',
};
const errorsOf = (r: { success: boolean; error?: z.ZodError }): Partial<Record<string, string[]>> => (r.success ? {} : z.flattenError(r.error!).fieldErrors);

describe('parseUtc', () => {
  it('reads a date or a datetime-local value as UTC and rejects impossible dates', () => {
    expect(parseUtc('2027-01-31')?.toISOString()).toBe('2027-01-31T00:00:00.000Z');
    expect(parseUtc('2027-01-31T17:30')?.toISOString()).toBe('2027-01-31T17:30:00.000Z');
    expect(parseUtc('2027-02-30')).toBeNull();
    expect(parseUtc('2027-01-31T25:00')).toBeNull();
    expect(parseUtc('31/01/2027')).toBeNull();
  });
});

describe('category input', () => {
  it('parses a complete category: checkboxes to types, the backup box to two devices', () => {
    const r = categoryInputSchema(NOW).parse({ ...base, backupRequired: 'on' });
    expect(r).toMatchObject({ allowedDeviceTypes: ['hardware', 'fido'], minDevices: 2, selectorKey: null, reason: null, expiresAt: null });
    expect(r.deadline.toISOString()).toBe('2027-01-31T17:00:00.000Z');
  });
  it('a certified security key may be required only where security keys are the only allowed type', () => {
    expect(categoryInputSchema(NOW).parse({ ...base }).requireCertifiedKey).toBe(false);
    expect(categoryInputSchema(NOW).parse({ ...base, allow_hardware: undefined, requireCertifiedKey: 'on' })).toMatchObject({ allowedDeviceTypes: ['fido'], requireCertifiedKey: true });
    expect(errorsOf(categoryInputSchema(NOW).safeParse({ ...base, requireCertifiedKey: 'on' }))).toHaveProperty('requireCertifiedKey');
  });
  it('reports every problem at once, each on its field', () => {
    const r = categoryInputSchema(NOW).safeParse({ ...base, allow_hardware: undefined, allow_fido: undefined, deadline: 'soon', cohort: 'Prod Admins!', selectorValue: 'bad group' });
    expect(Object.keys(errorsOf(r)).sort()).toEqual(['allowedDeviceTypes', 'cohort', 'deadline', 'selectorValue']);
  });
  it('checks each selector kind', () => {
    const bad = (p: Record<string, string>) => errorsOf(categoryInputSchema(NOW).safeParse({ ...base, ...p }));
    expect(bad({ selectorKind: 'tag', selectorValue: 'prod' })).toHaveProperty('selectorKey');
    expect(bad({ selectorKind: 'tag', selectorKey: 'Environment', selectorValue: 'prod' })).toEqual({});
    expect(bad({ selectorKind: 'path', selectorValue: 'admins' })).toHaveProperty('selectorValue');
    expect(bad({ selectorKind: 'path', selectorValue: '/admins/' })).toEqual({});
    expect(bad({ selectorKind: 'account', selectorValue: '1234' })).toHaveProperty('selectorValue');
    expect(bad({ selectorKind: 'nope' })).toHaveProperty('selectorKind');
  });
  it('a category default of exception types nothing: no approver, justification or end date is read from the form', () => {
    const r = categoryInputSchema(NOW).parse({ ...base, defaultDecision: 'exception', reason: 'typed', approver: 'CISO', expiresAt: '2027-01-01' });
    expect(r).toMatchObject({ defaultDecision: 'exception', reason: null, expiresAt: null });
    expect(r).not.toHaveProperty('approver');
  });
  it('keeps an approved category-wide exception only while the default stays exception', () => {
    const stored = { defaultDecision: 'exception' as const, reason: 'Break-glass', approver: 'frank@example.com', expiresAt: new Date('2027-01-01T00:00:00Z') };
    const input = categoryInputSchema(NOW).parse({ ...base, defaultDecision: 'exception' });
    expect(keptException(input, stored)).toEqual({ reason: 'Break-glass', approver: 'frank@example.com', expiresAt: stored.expiresAt });
    expect(keptException(input, undefined)).toEqual({ approver: null });
    expect(keptException(categoryInputSchema(NOW).parse(base), stored)).toEqual({ approver: null });
  });
  it('an out-of-scope category needs a reason', () => {
    expect(errorsOf(categoryInputSchema(NOW).safeParse({ ...base, defaultDecision: 'out-of-scope' }))).toHaveProperty('reason');
  });
});

describe('control characters in free text', () => {
  it('are refused in every free-text field of a category and a decision, each on its field', () => {
    const nul = 'Break-glass\u0000 account in the safe';
    expect(errorsOf(categoryInputSchema(NOW).safeParse({ ...base, name: 'Prod\u0000admins' }))).toEqual({ name: [CONTROL_CHARACTER_MESSAGE] });
    expect(errorsOf(categoryInputSchema(NOW).safeParse({ ...base, selectorKind: 'tag', selectorKey: 'Team\t', selectorValue: 'ops' }))).toHaveProperty('selectorKey', [CONTROL_CHARACTER_MESSAGE]);
    const decision = errorsOf(decisionInputSchema(NOW).safeParse({ decision: 'exception', reason: nul, expiresAt: '2027-06-30' }));
    expect(decision).toEqual({ reason: [CONTROL_CHARACTER_MESSAGE] });
    expect(errorsOf(exceptionVerdictSchema.safeParse({ verdict: 'reject', note: 'No\u001b[31m thanks' }))).toEqual({ note: [CONTROL_CHARACTER_MESSAGE] });
    expect(errorsOf(decisionInputSchema(NOW).safeParse({ decision: 'required', reason: 'fine\u007f' }))).toEqual({ reason: [CONTROL_CHARACTER_MESSAGE] });
  });
});

describe('decision input', () => {
  it('empty means: follow the program', () => {
    expect(decisionInputSchema(NOW).parse({ categoryId: '', decision: '' })).toEqual({ categoryId: null, decision: null, reason: null, expiresAt: null });
  });
  it('an exception requires a justification and an expiry of at most a year; an approver is not read from the form', () => {
    const r = decisionInputSchema(NOW).safeParse({ decision: 'exception' });
    expect(Object.keys(errorsOf(r)).sort()).toEqual(['expiresAt', 'reason']);
    const ok = decisionInputSchema(NOW).parse({ decision: 'exception', reason: 'Break-glass account in the safe', approver: 'Dave (CISO)', expiresAt: '2027-06-30' });
    expect(ok).not.toHaveProperty('approver');
    expect(ok.expiresAt?.toISOString()).toBe('2027-06-30T00:00:00.000Z');
    expect(oneYearFrom(NOW).toISOString()).toBe('2027-11-26T12:00:00.000Z');
  });
  it('an exception ending a year and a day away is refused on its field; ending exactly a year away is accepted', () => {
    const e = (expiresAt: string) => decisionInputSchema(NOW).safeParse({ decision: 'exception', reason: 'Break-glass account in the safe', approver: 'Dave (CISO)', expiresAt });
    const tooLong = { expiresAt: ['An exception may last at most a year: choose an earlier end date and review it then.'] };
    expect(errorsOf(e('2027-11-27T12:00'))).toEqual(tooLong);
    expect(errorsOf(e('2027-11-27'))).toEqual(tooLong);
    expect(errorsOf(e('2027-11-26T12:01'))).toEqual(tooLong);
    const atLimit = e('2027-11-26T12:00');
    expect(errorsOf(atLimit)).toEqual({});
    expect(atLimit.data?.expiresAt?.getTime()).toBe(oneYearFrom(NOW).getTime());
    expect(errorsOf(e('2026-11-26T12:00'))).toEqual({ expiresAt: ['The end date must be after today.'] });
  });
  it('the domain re-checks a parsed decision: an exception within a year with its justification, out of scope with a reason', () => {
    const exception = (p: Partial<DecisionInput>): DecisionInput => ({ categoryId: null, decision: 'exception', reason: 'Break-glass account in the safe', expiresAt: oneYearFrom(NOW), ...p });
    expect(decisionProblems(exception({}), NOW)).toBeNull();
    expect(decisionProblems(exception({ expiresAt: new Date(oneYearFrom(NOW).getTime() + 86_400_000) }), NOW)).toEqual({
      expiresAt: ['An exception may last at most a year: choose an earlier end date and review it then.'],
    });
    expect(decisionProblems(exception({ expiresAt: new Date(oneYearFrom(NOW).getTime() + 1) }), NOW)).toHaveProperty('expiresAt');
    expect(decisionProblems(exception({ expiresAt: NOW }), NOW)).toEqual({ expiresAt: ['The end date must be after today.'] });
    expect(Object.keys(decisionProblems(exception({ reason: 'because', expiresAt: null }), NOW) ?? {}).sort()).toEqual(['expiresAt', 'reason']);
    expect(decisionProblems({ ...exception({}), decision: 'out-of-scope', reason: null, expiresAt: null }, NOW)).toHaveProperty('reason');
    expect(decisionProblems({ decision: null, reason: null, expiresAt: null }, NOW)).toBeNull();
  });
  it('out of scope requires a reason; an override needs a positive category id', () => {
    expect(errorsOf(decisionInputSchema(NOW).safeParse({ decision: 'out-of-scope' }))).toHaveProperty('reason');
    expect(errorsOf(decisionInputSchema(NOW).safeParse({ categoryId: '-3' }))).toHaveProperty('categoryId');
    expect(decisionInputSchema(NOW).parse({ categoryId: '7' }).categoryId).toBe(7);
  });
});

describe('exception requests', () => {
  it('a request needs a justification and an end date after today, at most a year away (the program’s maximum)', () => {
    const r = (p: Record<string, string>) => exceptionRequestSchema(NOW).safeParse(p);
    expect(Object.keys(errorsOf(r({ reason: '', expiresAt: '' }))).sort()).toEqual(['expiresAt', 'reason']);
    expect(errorsOf(r({ reason: 'Break-glass account in the safe', expiresAt: '2026-11-26' }))).toEqual({ expiresAt: ['The end date must be after today.'] });
    expect(errorsOf(r({ reason: 'Break-glass account in the safe', expiresAt: '2027-11-27' })).expiresAt?.[0]).toMatch(/at most a year/);
    expect(r({ reason: 'Break-glass account in the safe', expiresAt: '2027-06-30' }).data).toEqual({ justification: 'Break-glass account in the safe', expiresAt: new Date('2027-06-30T00:00:00Z') });
    expect(requestProblems({ justification: 'short', expiresAt: new Date('2027-06-30T00:00:00Z') }, NOW)).toHaveProperty('reason');
    expect(requestProblems({ justification: 'Break-glass account in the safe', expiresAt: NOW }, NOW)).toEqual({ expiresAt: ['The end date must be after today.'] });
  });
  it('a rejection needs a note; an approval may go without', () => {
    expect(exceptionVerdictSchema.parse({ verdict: 'approve', note: '' })).toEqual({ verdict: 'approve', note: null });
    expect(errorsOf(exceptionVerdictSchema.safeParse({ verdict: 'reject', note: '' }))).toHaveProperty('note');
    expect(exceptionVerdictSchema.parse({ verdict: 'reject', note: 'Use a hardware key instead' })).toEqual({ verdict: 'reject', note: 'Use a hardware key instead' });
    expect(errorsOf(exceptionVerdictSchema.safeParse({ verdict: 'maybe' }))).toHaveProperty('verdict');
  });
  it('who may decide: an admin who did not ask and does not own the IAM user, on a pending request', () => {
    const pending = { requestedBy: 'carol@example.com', status: 'pending' };
    expect(approvalRefusal({ id: 'frank@example.com', roles: ['member', 'admin'] }, pending)).toBeNull();
    expect(approvalRefusal({ id: 'carol@example.com', roles: ['member', 'admin'] }, pending)).toMatch(/another admin/);
    expect(approvalRefusal({ id: 'Carol@Example.com', roles: ['admin'] }, pending)).toMatch(/another admin/);
    expect(approvalRefusal({ id: 'dave@example.com', roles: ['member', 'security'] }, pending)).toMatch(/Only an admin/);
    expect(approvalRefusal({ id: 'frank@example.com', roles: ['admin'] }, { ...pending, status: 'approved' })).toMatch(/already approved/);
    const forBob = { ...pending, accountId: '111111111111', userName: 'bob' };
    expect(approvalRefusal({ id: 'frank@example.com', roles: ['admin'], principals: [{ accountId: '111111111111', userName: 'bob' }] }, forBob)).toMatch(/IAM user is yours/);
    expect(approvalRefusal({ id: 'frank@example.com', roles: ['admin'], principals: [{ accountId: '222222222222', userName: 'bob' }] }, forBob)).toBeNull();
  });
});
