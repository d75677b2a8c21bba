/**
 * Exception requests on both backends: request -> approve writes the decision with the approver's identity; the
 * requester cannot approve their own; a rejection writes nothing; the owner's 14-day reminder of the end goes out once.
 * The domain reads the database through getDb(), pointed here at each backend's own migrated database.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { and, asc, eq, gt, max } from 'drizzle-orm';
import { describeOnDatabases } from '@/test-support/databases';
import { useLocalStack } from '@/test-support/stack';
import type { Database } from '@/lib/db/client';
import { auditLog, exceptionRequests, inventoryUsers, programCategories, programDecisions, programUsers, reminderSends } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import { ForbiddenError } from '@/lib/auth/roles';
import { userArn } from '@/lib/iam-identifiers';
import { decideExceptionRequest, listExceptionRequests, pendingRequestCount, requestException, requestsForUser, withdrawExceptionRequest } from './exception-requests';
import { listExceptions } from './decisions';
import { saveCategory } from './categories';
import { input } from './program-test-setup';
import { runReminders } from './reminders/run';
import type { ReminderConfig } from './reminders/config';
import { DAY_MS } from './reminder-plan';
import { EXCEPTION_END_STEP } from './exception-end';

const current = vi.hoisted(() => ({ database: undefined as Database | undefined }));
vi.mock('@/lib/db/client', async (importOriginal) => {
  const original = await importOriginal<typeof import('@/lib/db/client')>();
  return { ...original, getDb: async () => current.database!.db };
});

const A = '111111111111';
const person = (id: string, roles: Actor['roles'], principals: Actor['principals'] = []): Actor => ({ id, email: id, name: id, method: 'oidc', roles, principals, authTime: 0 });
const carol = person('carol@example.com', ['member', 'admin']);
const frank = person('frank@example.com', ['member', 'admin']);
const dave = person('dave@example.com', ['member', 'security']);
const alice = person('alice@example.com', ['member'], [{ accountId: A, userName: 'alice-ops', arn: userArn(A, 'alice-ops') }]);

let receiver: Server;
const received: { text: string }[] = [];
let config: Partial<ReminderConfig>;

beforeAll(async () => {
  await useLocalStack();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  config = { emailFrom: null, webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/exceptions`, portalUrl: 'http://127.0.0.1:3999', emailTagKey: 'email', accounts: [] };
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const inAbout = (days: number) => new Date(Date.now() + days * DAY_MS);

describeOnDatabases('exception requests', (database) => {
  const db = () => database().db;
  beforeEach(async () => {
    current.database = database();
    received.length = 0;
    for (const table of [reminderSends, exceptionRequests, programDecisions, programCategories, inventoryUsers]) await db().delete(table);
    await db().insert(inventoryUsers).values(
      ['bob-ops', 'alice-ops', 'soon', 'later'].map((userName) => ({
        accountId: A,
        userName,
        arn: userArn(A, userName),
        path: '/',
        consoleAccess: true,
        tags: { email: `${userName}@example.com` },
        groups: [],
        devices: [],
        mfaState: 'none' as const,
        source: 'inventory' as const,
      })),
    );
  });
  const bob = { accountId: A, userName: 'bob-ops' };
  const justification = 'Break-glass account kept in the safe';
  // The log is append-only: each test reads only the entries written since it began.
  let mark = 0;
  beforeEach(async () => {
    mark = (await db().select({ id: max(auditLog.id) }).from(auditLog))[0]?.id ?? 0;
  });
  const audits = (action: string) => db().select().from(auditLog).where(and(eq(auditLog.action, action), gt(auditLog.id, mark))).orderBy(asc(auditLog.id));
  const decisionOf = async (userName: string) => (await db().select().from(programDecisions).where(and(eq(programDecisions.accountId, A), eq(programDecisions.userName, userName))))[0];

  it('request -> approve writes the decision with the approver’s identity and the requested end; both acts are audited and the requester is told', async () => {
    const ends = inAbout(40);
    const r = await requestException(carol, bob, { justification, expiresAt: ends });
    expect(r).toMatchObject({ status: 'success' });
    const id = r.status === 'success' ? r.data.id : 0;
    expect(await decisionOf('bob-ops')).toBeUndefined();
    expect(await pendingRequestCount(frank)).toBe(1);
    expect((await listExceptionRequests(frank)).map((q) => [q.userName, q.requestedBy, q.status])).toEqual([['bob-ops', carol.id, 'pending']]);

    const approved = await decideExceptionRequest(frank, id, { verdict: 'approve', note: 'Reviewed with the owner' }, { notify: config });
    expect(approved).toMatchObject({ status: 'success', data: { status: 'approved' }, message: expect.stringContaining('carol@example.com was notified') });
    expect(await decisionOf('bob-ops')).toMatchObject({ decision: 'exception', reason: justification, approver: frank.id, decidedBy: frank.id, expiresAt: ends });
    const [view] = await db().select().from(programUsers).where(eq(programUsers.userName, 'bob-ops'));
    expect(view).toMatchObject({ decision: 'exception', approver: frank.id, inScope: false });
    const [register] = await listExceptions(frank);
    expect(register).toMatchObject({ userName: 'bob-ops', approver: frank.id, approvedAt: expect.any(Date) });
    // A user in a category, with an exception of their own: the date is still their request's, not the category's.
    await saveCategory(dave, null, input({ name: 'Account A', cohort: 'acct-a' }));
    expect((await listExceptions(frank))[0]).toMatchObject({ userName: 'bob-ops', categoryName: 'Account A', decisionSource: 'user', approvedAt: expect.any(Date) });
    expect((await db().select().from(exceptionRequests))[0]).toMatchObject({ status: 'approved', decidedBy: frank.id, decisionNote: 'Reviewed with the owner' });

    expect(await audits('program.exception.request')).toMatchObject([{ actor: carol.id, target: `${A}/bob-ops`, outcome: 'success' }]);
    expect(await audits('program.exception.approve')).toMatchObject([{ actor: frank.id, outcome: 'success', detail: { requestId: id, requestedBy: carol.id } }]);
    expect(await audits('program.exception.set')).toMatchObject([{ actor: frank.id, detail: { after: { decision: 'exception', approver: frank.id } } }]);
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('was approved');
    expect(received[0]!.text).toContain('carol@example.com');
    expect(await pendingRequestCount(frank)).toBe(0);
  });

  it('the requester cannot approve (or reject) their own request: refused by the domain and audited as denied', async () => {
    const r = await requestException(carol, bob, { justification, expiresAt: inAbout(30) });
    const id = r.status === 'success' ? r.data.id : 0;
    expect(await decideExceptionRequest(carol, id, { verdict: 'approve', note: null }, { notify: config })).toMatchObject({ status: 'error', code: 'Refused', message: expect.stringMatching(/another admin/) });
    expect(await decideExceptionRequest(carol, id, { verdict: 'reject', note: 'changed my mind' }, { notify: config })).toMatchObject({ status: 'error', code: 'Refused' });
    await expect(decideExceptionRequest(dave, id, { verdict: 'approve', note: null })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await decisionOf('bob-ops')).toBeUndefined();
    expect((await db().select().from(exceptionRequests))[0]).toMatchObject({ status: 'pending', decidedBy: null });
    expect(await audits('program.exception.approve')).toMatchObject([{ actor: carol.id, outcome: 'denied' }]);
    expect(received).toHaveLength(0);
  });

  it('a rejection leaves no decision, and a second request for the same user waits until the first is decided', async () => {
    const r = await requestException(carol, bob, { justification, expiresAt: inAbout(30) });
    const id = r.status === 'success' ? r.data.id : 0;
    expect(await requestException(frank, bob, { justification, expiresAt: inAbout(20) })).toMatchObject({ status: 'error', code: 'Pending' });
    expect(await decideExceptionRequest(frank, id, { verdict: 'reject', note: 'Enrol a hardware key instead' }, { notify: config })).toMatchObject({ status: 'success', data: { status: 'rejected' } });
    expect(await decisionOf('bob-ops')).toBeUndefined();
    expect(await listExceptions(frank)).toEqual([]);
    expect(received[0]!.text).toContain('was rejected');
    expect(await decideExceptionRequest(frank, id, { verdict: 'approve', note: null }, { notify: config })).toMatchObject({ status: 'error', code: 'Refused', message: /already rejected/ });
    expect(await requestException(frank, bob, { justification, expiresAt: inAbout(20) })).toMatchObject({ status: 'success' });
  });

  it('a member requests for their own IAM user only, and may withdraw it; validation is the domain’s too', async () => {
    const own = await requestException(alice, { accountId: A, userName: 'alice-ops' }, { justification, expiresAt: inAbout(30) });
    expect(own).toMatchObject({ status: 'success' });
    await expect(requestException(alice, bob, { justification, expiresAt: inAbout(30) })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await requestException(alice, { accountId: A, userName: 'alice-ops' }, { justification: 'short', expiresAt: new Date(Date.now() - DAY_MS) })).toMatchObject({
      status: 'invalid',
      fieldErrors: { reason: [expect.any(String)], expiresAt: ['The end date must be after today.'] },
    });
    expect((await requestsForUser(alice, { accountId: A, userName: 'alice-ops' })).map((q) => q.status)).toEqual(['pending']);
    expect(await withdrawExceptionRequest(carol, own.status === 'success' ? own.data.id : 0)).toMatchObject({ status: 'error', code: 'NotFound' });
    expect(await withdrawExceptionRequest(alice, own.status === 'success' ? own.data.id : 0)).toMatchObject({ status: 'success' });
    expect((await requestsForUser(alice, { accountId: A, userName: 'alice-ops' })).map((q) => q.status)).toEqual(['withdrawn']);
  });

  it('a category-wide exception is requested and approved by another admin; the category form keeps it but cannot set it', async () => {
    const saved = await saveCategory(dave, null, input({ name: 'Ops', cohort: 'ops' }));
    const categoryId = saved.status === 'success' ? saved.data.id : 0;
    expect(await saveCategory(dave, categoryId, input({ name: 'Ops', cohort: 'ops', defaultDecision: 'exception' }))).toMatchObject({ status: 'invalid', fieldErrors: { defaultDecision: [expect.any(String)] } });
    const r = await requestException(dave, { categoryId }, { justification, expiresAt: inAbout(60) });
    const id = r.status === 'success' ? r.data.id : 0;
    expect(await decideExceptionRequest(carol, id, { verdict: 'approve', note: null }, { notify: config })).toMatchObject({ status: 'success' });
    const [category] = await db().select().from(programCategories).where(eq(programCategories.id, categoryId));
    expect(category).toMatchObject({ defaultDecision: 'exception', reason: justification, approver: carol.id });
    // Saving the category again (e.g. its name) keeps the approved exception as the approval wrote it.
    expect(await saveCategory(dave, categoryId, input({ name: 'Ops team', cohort: 'ops', defaultDecision: 'exception' }))).toMatchObject({ status: 'success' });
    expect((await db().select().from(programCategories).where(eq(programCategories.id, categoryId)))[0]).toMatchObject({ name: 'Ops team', defaultDecision: 'exception', approver: carol.id, reason: justification });
    expect((await listExceptions(carol)).find((e) => e.userName === 'bob-ops')).toMatchObject({ decisionSource: 'category', approver: carol.id, approvedAt: expect.any(Date) });
  });

  it('the owner is reminded 14 days before an exception ends: once, not on the next run, and not for an end 20 days away', async () => {
    await db().insert(programDecisions).values([
      { accountId: A, userName: 'soon', decision: 'exception', reason: justification, approver: frank.id, expiresAt: inAbout(13), decidedBy: frank.id },
      { accountId: A, userName: 'later', decision: 'exception', reason: justification, approver: frank.id, expiresAt: inAbout(20), decidedBy: frank.id },
    ]);
    const run = () => runReminders({ actor: 'scheduler', trigger: 'schedule' }, { db: db(), config });
    expect(await run()).toMatchObject({ due: 1, sent: 1, alreadySent: 0 });
    expect(await run()).toMatchObject({ due: 1, sent: 0, alreadySent: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toMatch(/^The MFA exception for soon ends on /);
    expect(received[0]!.text).toContain('owner: soon@example.com');
    const sends = await db().select().from(reminderSends);
    expect(sends).toMatchObject([{ userName: 'soon', step: EXCEPTION_END_STEP, channel: 'webhook', status: 'sent' }]);
    expect(sends[0]!.deadline.getTime()).toBe((await decisionOf('soon'))!.expiresAt!.getTime());
  });
});
