import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { and, eq, like, sql } from 'drizzle-orm';
import { auditLog, exceptionRequests, programDecisions, programUsers } from '@/lib/db/schema';
import { bulkRequestException, decideExceptionRequest, requestException } from './exception-requests';
import { ForbiddenError } from '@/lib/auth/roles';
import { saveCategory } from './categories';
import { bulkDecide, listExceptions, setDecision } from './decisions';
import { setReminderDays } from './settings';
import { decisionInputSchema, oneYearFrom, type DecisionInput } from './program-input';
import { A, B, admin, auditMark, auditSince, db, input, insertUsers, lastAudit, member, programStack, reset, security } from './program-test-setup';

// Every decision an admin makes (one user or many, exceptions included), and the reminder days, is validated,
// applied and audited with before and after.
programStack();

describe('decisions and exceptions', () => {
  beforeEach(reset);
  const parse = (p: Record<string, string>) => decisionInputSchema(new Date()).parse(p);
  const inAYear = () => new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);

  it('an exception is not set directly: it is requested, and only another admin’s approval writes it, with their identity as approver', async () => {
    await insertUsers([{ accountId: A, userName: 'ann', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] }]);
    const key = { accountId: A, userName: 'ann' };
    const exception = parse({ decision: 'exception', reason: 'Break-glass account in the safe', approver: 'Dave', expiresAt: inAYear() });
    expect(await setDecision(admin, key, exception)).toMatchObject({ status: 'error', code: 'ApprovalNeeded' });
    expect(await db.select().from(programDecisions)).toHaveLength(0);

    const requested = await requestException(admin, key, { justification: exception.reason!, expiresAt: exception.expiresAt! });
    expect(requested.status).toBe('success');
    const id = requested.status === 'success' ? requested.data.id : 0;
    expect(await decideExceptionRequest(security, id, { verdict: 'approve', note: null }, { notify: { emailFrom: null, webhookUrl: null, accounts: [] } })).toMatchObject({ status: 'success' });
    const [row] = await db.select().from(programUsers).where(eq(programUsers.userName, 'ann'));
    expect(row).toMatchObject({ decision: 'exception', inScope: false, programGap: null, approver: security.id });
    expect((await listExceptions(admin, 'active')).map((e) => [e.userName, e.approver, e.approvedAt instanceof Date])).toEqual([['ann', security.id, true]]);
    const a = await lastAudit('program.exception.set');
    expect(a).toMatchObject({ actor: security.id, target: `${A}/ann` });
    expect(a!.detail).toMatchObject({ before: null, after: { decision: 'exception', approver: security.id, reason: 'Break-glass account in the safe' }, requestId: id });

    // The approved exception stays while only the category override changes; the approver is kept, not retyped.
    expect(await setDecision(admin, key, exception)).toMatchObject({ status: 'success', data: { changed: false } });
    expect((await setDecision(admin, key, parse({}))).status).toBe('success');
    expect((await lastAudit('program.decision.clear'))!.detail).toMatchObject({ before: { decision: 'exception' }, after: null });
    expect(await db.select().from(programDecisions)).toHaveLength(0);
  });

  it('an expired exception becomes a gap by itself and is flagged on the register', async () => {
    await insertUsers([{ accountId: A, userName: 'old', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] }]);
    await db.insert(programDecisions).values({ accountId: A, userName: 'old', decision: 'exception', reason: 'temporary', approver: 'Dave', expiresAt: new Date(Date.now() - 60_000), decidedBy: 'test' });
    const [row] = await db.select().from(programUsers).where(eq(programUsers.userName, 'old'));
    expect(row).toMatchObject({ exceptionExpired: true, inScope: true, programGap: 'no-mfa' });
    expect((await listExceptions(admin, 'expired')).map((e) => e.userName)).toEqual(['old']);
    expect(await listExceptions(admin, 'active')).toEqual([]);
  });

  it('refuses a user the inventory does not know, and a member', async () => {
    expect(await setDecision(admin, { accountId: A, userName: 'ghost' }, parse({ decision: 'required' }))).toMatchObject({ status: 'error', code: 'NotFound' });
    await expect(setDecision(member, { accountId: A, userName: 'ghost' }, parse({ decision: 'required' }))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listExceptions(member)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('bulk: applies to the filtered set only when its size is what the admin confirmed; one audit entry per user changed', async () => {
    await insertUsers([
      { accountId: A, userName: 'svc-a', path: '/', tags: { Team: 'ops' }, groups: [], consoleAccess: true, types: [] },
      { accountId: A, userName: 'svc-b', path: '/', tags: { Team: 'ops' }, groups: [], consoleAccess: true, types: [] },
      { accountId: B, userName: 'dev', path: '/', tags: { Team: 'dev' }, groups: [], consoleAccess: true, types: [] },
    ]);
    const out = parse({ decision: 'out-of-scope', reason: 'Console passwords are being removed' });
    expect(await bulkDecide(admin, { account: A }, out, 3)).toMatchObject({ status: 'error', code: 'Changed' });
    expect(await db.select().from(programDecisions)).toHaveLength(0);
    expect(await bulkDecide(admin, { account: A }, out, 2)).toMatchObject({ status: 'success', data: { changed: 2, unchanged: 0 } });
    expect((await db.select().from(programUsers).where(eq(programUsers.decision, 'out-of-scope'))).map((r) => r.userName).sort()).toEqual(['svc-a', 'svc-b']);
    const perUser = await db.select().from(auditLog).where(and(eq(auditLog.action, 'program.decision.set'), like(auditLog.target, `${A}/%`)));
    expect(perUser.map((e) => e.target).sort()).toEqual([`${A}/svc-a`, `${A}/svc-b`]);
    expect((await lastAudit('program.decision.bulk'))!.detail).toMatchObject({ users: 2, changed: 2 });
    expect(await bulkDecide(admin, { account: A }, out, 2)).toMatchObject({ status: 'success', data: { changed: 0, unchanged: 2 } });
  });

  it('a category override is audited with the category it left and the one it set, by name', async () => {
    await insertUsers([{ accountId: B, userName: 'bo', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] }]);
    const idOf = (r: Awaited<ReturnType<typeof saveCategory>>) => (r.status === 'success' ? r.data.id : 0);
    const a = idOf(await saveCategory(security, null, input({ name: 'Account A', cohort: 'acct-a' })));
    const b = idOf(await saveCategory(security, null, input({ name: 'Account B', selectorValue: B, cohort: 'acct-b' })));
    const key = { accountId: B, userName: 'bo' };
    const followCategory = { decision: '(category default)', reason: null, approver: null, expiresAt: null };

    const mark = await auditMark();
    expect(await setDecision(admin, key, parse({ categoryId: String(a) }))).toMatchObject({ status: 'success', data: { changed: true } });
    expect(await setDecision(admin, key, parse({ categoryId: String(b), decision: 'required' }))).toMatchObject({ status: 'success', data: { changed: true } });
    expect(await setDecision(admin, key, parse({ categoryId: String(b), decision: 'required' }))).toMatchObject({ status: 'success', data: { changed: false } });
    expect(await auditSince(mark)).toEqual([
      { actor: admin.id, action: 'program.decision.set', target: `${B}/bo`, outcome: 'success', detail: { before: null, after: { category: 'Account A', ...followCategory } } },
      {
        actor: admin.id,
        action: 'program.decision.set',
        target: `${B}/bo`,
        outcome: 'success',
        detail: { before: { category: 'Account A', ...followCategory }, after: { category: 'Account B', ...followCategory, decision: 'required' } },
      },
    ]);
  });

  it('bulk: every per-user entry carries its own before and after and the run’s id; an exception is refused (it is requested)', async () => {
    await insertUsers([
      { accountId: A, userName: 'svc-a', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] },
      { accountId: A, userName: 'svc-b', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] },
    ]);
    await db.insert(programDecisions).values({ accountId: A, userName: 'svc-b', decision: 'required', reason: 'Named by the audit', decidedBy: 'test' });
    const bySelector = { category: '(by selector)', approver: null, expiresAt: null };
    const outOfScope = { ...bySelector, decision: 'out-of-scope', reason: 'Console passwords are being removed' };

    let mark = await auditMark();
    expect(await bulkDecide(admin, { account: A }, parse({ decision: 'out-of-scope', reason: 'Console passwords are being removed' }), 2)).toMatchObject({ status: 'success', data: { changed: 2 } });
    let entries = await auditSince(mark);
    const bulkId = (entries.at(-1)!.detail as { bulkId: string }).bulkId;
    expect(bulkId).toMatch(/^bulk-/);
    expect(entries).toEqual([
      { actor: admin.id, action: 'program.decision.set', target: `${A}/svc-a`, outcome: 'success', detail: { before: null, after: outOfScope, bulkId } },
      {
        actor: admin.id,
        action: 'program.decision.set',
        target: `${A}/svc-b`,
        outcome: 'success',
        detail: { before: { ...bySelector, decision: 'required', reason: 'Named by the audit' }, after: outOfScope, bulkId },
      },
      { actor: admin.id, action: 'program.decision.bulk', target: null, outcome: 'success', detail: { bulkId, filters: { account: A }, users: 2, changed: 2, after: outOfScope } },
    ]);

    const ends = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    mark = await auditMark();
    const exception = parse({ decision: 'exception', reason: 'Shared test rig until it is retired', expiresAt: ends });
    expect(await bulkDecide(admin, { account: A }, exception, 2)).toMatchObject({ status: 'error', code: 'ApprovalNeeded' });
    expect(await auditSince(mark)).toEqual([]);
    // The bulk page sends an exception as one request per user, for another admin to approve each.
    const request = { justification: exception.reason!, expiresAt: exception.expiresAt! };
    expect(await bulkRequestException(admin, { account: A }, request, 2)).toMatchObject({ status: 'success', data: { requested: 2, skipped: 0 } });
    entries = await auditSince(mark);
    expect(entries.map((e) => [e.action, e.target])).toEqual([
      ['program.exception.request', `${A}/svc-a`],
      ['program.exception.request', `${A}/svc-b`],
    ]);
    expect(await bulkRequestException(admin, { account: A }, request, 2)).toMatchObject({ status: 'success', data: { requested: 0, skipped: 2 } });
    expect((await db.select().from(programDecisions)).map((d) => d.decision)).toEqual(['out-of-scope', 'out-of-scope']);
  });

  it('a per-user exception ending more than a year away is refused on its field, by the form and by the domain; at the limit it is accepted', async () => {
    await insertUsers([{ accountId: A, userName: 'ann', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] }]);
    const key = { accountId: A, userName: 'ann' };
    const exception = (expiresAt: Date): DecisionInput => ({ categoryId: null, decision: 'exception', reason: 'Break-glass account in the safe', expiresAt });
    const request = (expiresAt: Date) => requestException(admin, key, { justification: 'Break-glass account in the safe', expiresAt });
    const tooLong = { status: 'invalid', fieldErrors: { expiresAt: [expect.stringMatching(/at most a year/)] }, message: 'Check the highlighted fields.' };

    const oneYearAndADay = new Date(oneYearFrom(new Date()).getTime() + 86_400_000);
    const day = oneYearAndADay.toISOString().slice(0, 10);
    const form = decisionInputSchema(new Date()).safeParse({ decision: 'exception', reason: 'Break-glass account in the safe', approver: 'Dave', expiresAt: day });
    expect(form.success ? {} : z.flattenError(form.error).fieldErrors).toEqual({ expiresAt: [expect.stringMatching(/at most a year/)] });

    const mark = await auditMark();
    expect(await setDecision(admin, key, exception(oneYearAndADay))).toEqual(tooLong);
    expect(await bulkDecide(admin, { account: A }, exception(oneYearAndADay), 1)).toEqual(tooLong);
    expect(await db.select().from(programDecisions)).toEqual([]);
    expect(await auditSince(mark)).toEqual([]);

    expect(await request(oneYearAndADay)).toEqual(tooLong);
    expect(await db.select().from(exceptionRequests)).toEqual([]);

    const limit = oneYearFrom(new Date());
    expect(await request(limit)).toMatchObject({ status: 'success' });
    const [row] = await db.select().from(exceptionRequests);
    expect(row!.expiresAt.toISOString()).toBe(limit.toISOString());
  });

  it('reminder days are audited with before and after', async () => {
    expect(await setReminderDays(db, security, '7, 30, 1')).toMatchObject({ status: 'success', data: { days: [30, 7, 1] } });
    expect(await lastAudit('program.settings.update')).toMatchObject({
      actor: security.id,
      target: 'reminder-days',
      outcome: 'success',
      detail: { before: { reminderDays: [14, 7, 1] }, after: { reminderDays: [30, 7, 1] } },
    });
    expect((await setReminderDays(db, security, '3')).status).toBe('success');
    expect((await lastAudit('program.settings.update'))!.detail).toEqual({ before: { reminderDays: [30, 7, 1] }, after: { reminderDays: [3] } });
    const mark = await auditMark();
    expect(await setReminderDays(db, security, '0, 400')).toMatchObject({ status: 'invalid' });
    expect(await auditSince(mark)).toEqual([]);
    await db.execute(sql`UPDATE program_settings SET reminder_days = '[14,7,1]'::jsonb`);
  });
});
