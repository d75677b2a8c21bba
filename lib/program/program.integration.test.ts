import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { and, asc, desc, eq, gt, like, max, sql } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { getDb, type Db } from '@/lib/db/client';
import { auditLog, inventoryUsers, programCategories, programDecisions, programUsers } from '@/lib/db/schema';
import { ForbiddenError } from '@/lib/auth/roles';
import type { Actor, Role } from '@/lib/auth/types';
import { classify } from '@/lib/inventory/classify';
import { toRow } from '@/lib/inventory/store';
import { deleteCategory, moveCategory, previewDraft, previewProgram, saveCategory } from './categories';
import { bulkDecide, listExceptions, setDecision } from './decisions';
import { setReminderDays } from './settings';
import { resolveProgram, type ProgramCategory } from './resolve';
import { categoryInputSchema, decisionInputSchema, oneYearFrom, type CategoryInput, type DecisionInput } from './program-input';

// The program against a real database: the SQL view agrees with the TypeScript rule on random organisations,
// and every change the security team or an admin makes is validated, applied and audited with before and after.
let db: Db;
const A = '111111111111';
const B = '222222222222';
const actor = (roles: Role[], id = 'dave@example.com'): Actor => ({ id, email: id, name: 'Dave', method: 'oidc', roles, principals: [], authTime: 0 });
const security = actor(['member', 'admin', 'security']);
const admin = actor(['member', 'admin'], 'carol@example.com');
const member = actor(['member'], 'alice@example.com');

beforeAll(async () => {
  await useLocalStack();
  db = await getDb();
});

async function reset() {
  await db.delete(programDecisions);
  await db.delete(programCategories);
  await db.delete(inventoryUsers);
}

type UserSpec = { accountId: string; userName: string; path: string; tags: Record<string, string>; groups: string[]; consoleAccess: boolean; types: ('virtual' | 'hardware' | 'fido')[]; certs?: (Record<string, string> | undefined)[] };

/** The user's devices; certifications only on FIDO ones (GetMFADevice reads nothing else). */
const deviceFacts = (u: Pick<UserSpec, 'types' | 'certs'>) =>
  u.types.map((type, i) => (type === 'fido' && u.certs?.[i] !== undefined ? { type, certifications: u.certs[i] } : { type }));

async function insertUsers(users: UserSpec[]) {
  if (users.length === 0) return;
  const rows = users.map((u) =>
    toRow(
      classify({
        accountId: u.accountId,
        userName: u.userName,
        arn: `arn:aws:iam::${u.accountId}:user${u.path}${u.userName}`,
        path: u.path,
        createdAt: null,
        tags: { ...u.tags },
        groups: u.groups,
        consoleAccess: u.consoleAccess,
        passwordLastUsed: undefined,
        accessKeyLastUsed: null,
        devices: deviceFacts(u).map((d, i) => ({ serial: `${u.userName}-${d.type}-${i}`, name: `${u.userName}-${i}`, enabledAt: null, ...d })),
        leftoverDevices: [],
      }),
      'inventory',
      null,
      new Date(),
    ),
  );
  await db.insert(inventoryUsers).values(rows);
}

const input = (p: Partial<Record<string, string>>): CategoryInput =>
  categoryInputSchema(new Date()).parse({ selectorKind: 'account', selectorValue: A, defaultDecision: 'required', allow_virtual: 'on', allow_hardware: 'on', allow_fido: 'on', deadline: '2027-03-01T17:00', ...p });

/** The newest audit id, to read only the entries a step adds (the log is not reset between tests). */
const auditMark = async () => (await db.select({ id: max(auditLog.id) }).from(auditLog))[0]?.id ?? 0;
const auditSince = async (mark: number) =>
  db.select({ actor: auditLog.actor, action: auditLog.action, target: auditLog.target, outcome: auditLog.outcome, detail: auditLog.detail }).from(auditLog).where(gt(auditLog.id, mark)).orderBy(asc(auditLog.id));

const lastAudit = async (action: string) => (await db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id)).limit(1))[0];

describe('the program_users view equals resolveProgram', () => {
  const arbUser = fc.record({
    accountId: fc.constantFrom(A, B),
    path: fc.constantFrom('/', '/admins/', '/admins/eu/', '/svc/'),
    tags: fc.dictionary(fc.constantFrom('Environment', 'Team'), fc.constantFrom('prod', 'dev', '')),
    groups: fc.subarray(['Admins', 'Dev', 'Ops']),
    consoleAccess: fc.boolean(),
    types: fc.array(fc.constantFrom('virtual' as const, 'hardware' as const, 'fido' as const), { maxLength: 3 }),
    // Per device (FIDO ones keep it): not read, read with none (a passkey), an empty level, certified.
    certs: fc.array(fc.constantFrom<Record<string, string> | undefined>(undefined, {}, { FIDO: '' }, { FIDO: 'L1' }, { 'FIPS-140-3': 'L2' }), { minLength: 3, maxLength: 3 }),
  });
  const arbCategory = fc.record({
    selector: fc.oneof(
      fc.record({ selectorKind: fc.constant('group' as const), selectorKey: fc.constant(null), selectorValue: fc.constantFrom('Admins', 'Dev', 'Ops') }),
      fc.record({ selectorKind: fc.constant('tag' as const), selectorKey: fc.constantFrom('Environment', 'Team'), selectorValue: fc.constantFrom('prod', 'dev', '') }),
      fc.record({ selectorKind: fc.constant('path' as const), selectorKey: fc.constant(null), selectorValue: fc.constantFrom('/', '/admins/', '/svc/') }),
      fc.record({ selectorKind: fc.constant('account' as const), selectorKey: fc.constant(null), selectorValue: fc.constantFrom(A, B) }),
    ),
    position: fc.integer({ min: 0, max: 4 }),
    defaultDecision: fc.constantFrom('required' as const, 'exception' as const, 'out-of-scope' as const),
    allowed: fc.subarray(['virtual', 'hardware', 'fido'] as const, { minLength: 1 }),
    minDevices: fc.constantFrom(1, 2),
    requireCertifiedKey: fc.boolean(),
    expiredException: fc.boolean(),
  });
  const arbDecision = fc.option(
    fc.record({
      override: fc.option(fc.nat(5)),
      decision: fc.option(fc.constantFrom('required' as const, 'exception' as const, 'out-of-scope' as const)),
      expired: fc.boolean(),
    }),
  );

  it('on random organisations, programs and decisions (property)', async () => {
    const now = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(arbUser, arbDecision), { minLength: 1, maxLength: 25 }), fc.array(arbCategory, { maxLength: 5 }), async (users, cats) => {
        await reset();
        const specs = users.map(([u], i) => ({ ...u, userName: `u${i}` }));
        await insertUsers(specs);
        const inserted: ProgramCategory[] = [];
        for (const [i, c] of cats.entries()) {
          const [row] = await db
            .insert(programCategories)
            .values({
              name: `c${i}`,
              position: c.position,
              ...c.selector,
              defaultDecision: c.defaultDecision,
              allowedDeviceTypes: [...c.allowed],
              minDevices: c.minDevices,
              requireCertifiedKey: c.requireCertifiedKey,
              deadline: new Date(now + 30 * 86_400_000),
              cohort: `cohort-${i}`,
              reason: c.defaultDecision === 'required' ? null : 'a reason long enough',
              approver: c.defaultDecision === 'exception' ? 'CISO' : null,
              expiresAt: c.defaultDecision === 'exception' ? new Date(now + (c.expiredException ? -1 : 1) * 86_400_000) : null,
              updatedBy: 'test',
            })
            .returning();
          inserted.push(row!);
        }
        const decisions = new Map<string, typeof programDecisions.$inferSelect>();
        for (const [i, [, d]] of users.entries()) {
          if (!d) continue;
          const categoryId = d.override !== null && inserted.length ? inserted[d.override % inserted.length]!.id : null;
          const [row] = await db
            .insert(programDecisions)
            .values({
              accountId: specs[i]!.accountId,
              userName: specs[i]!.userName,
              categoryId,
              decision: d.decision,
              reason: d.decision ? 'a reason long enough' : null,
              approver: d.decision === 'exception' ? 'CISO' : null,
              expiresAt: d.decision === 'exception' ? new Date(now + (d.expired ? -1 : 1) * 86_400_000) : null,
              decidedBy: 'test',
            })
            .returning();
          decisions.set(`${row!.accountId}/${row!.userName}`, row!);
        }
        const view = await db.select().from(programUsers);
        expect(view).toHaveLength(specs.length);
        for (const v of view) {
          const spec = specs.find((s) => s.accountId === v.accountId && s.userName === v.userName)!;
          const expected = resolveProgram({ ...spec, devices: deviceFacts(spec) }, inserted, decisions.get(`${v.accountId}/${v.userName}`) ?? null, new Date());
          expect({
            categoryId: v.categoryId,
            categorySource: v.categorySource,
            decision: v.decision,
            decisionSource: v.decisionSource,
            exceptionExpired: v.exceptionExpired,
            allowedDevices: v.allowedDevices,
            minDevices: v.minDevices,
            requireCertifiedKey: v.requireCertifiedKey,
            compliant: v.compliant,
            inScope: v.inScope,
            programGap: v.programGap,
            cohort: v.cohort,
            allowed: [...v.allowedDeviceTypes].sort(),
          }).toEqual({
            categoryId: expected.category?.id ?? null,
            categorySource: expected.categorySource,
            decision: expected.decision,
            decisionSource: expected.decisionSource,
            exceptionExpired: expected.exceptionExpired,
            allowedDevices: expected.allowedDevices,
            minDevices: expected.minDevices,
            requireCertifiedKey: expected.requireCertifiedKey,
            compliant: expected.compliant,
            inScope: expected.inScope,
            programGap: expected.programGap,
            cohort: expected.cohort,
            allowed: [...expected.allowedDeviceTypes].sort(),
          });
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('categories', () => {
  beforeEach(reset);

  it('create, update and delete are audited with before and after; a deadline change is marked', async () => {
    const created = await saveCategory(security, null, input({ name: 'Prod admins', cohort: 'prod-admins' }));
    expect(created.status).toBe('success');
    const id = created.status === 'success' ? created.data.id : 0;
    const c = await lastAudit('program.category.create');
    expect(c).toMatchObject({ actor: security.id, target: `category:${id}`, outcome: 'success' });
    expect(c!.detail).toMatchObject({ before: null, after: { name: 'Prod admins', cohort: 'prod-admins', deadline: '2027-03-01T17:00:00.000Z' } });

    expect((await saveCategory(security, id, input({ name: 'Prod admins', cohort: 'prod-admins', deadline: '2027-04-01T17:00' }))).status).toBe('success');
    const u = await lastAudit('program.category.update');
    expect(u!.detail).toMatchObject({ before: { deadline: '2027-03-01T17:00:00.000Z' }, after: { deadline: '2027-04-01T17:00:00.000Z' }, deadlineChanged: true });

    expect((await deleteCategory(security, id)).status).toBe('success');
    expect((await lastAudit('program.category.delete'))!.detail).toMatchObject({ before: { name: 'Prod admins' }, after: null });
  });

  it('refuses a duplicate name, an unmanaged account, and a second deadline for one cohort, each on its field', async () => {
    await saveCategory(security, null, input({ name: 'Prod admins', cohort: 'wave-1' }));
    const dup = await saveCategory(security, null, input({ name: 'PROD ADMINS', cohort: 'wave-2' }));
    expect(dup).toMatchObject({ status: 'invalid', fieldErrors: { name: [expect.stringMatching(/already exists/)] } });
    const acct = await saveCategory(security, null, input({ name: 'Other', selectorValue: '999999999999', cohort: 'wave-3' }));
    expect(acct).toMatchObject({ status: 'invalid', fieldErrors: { selectorValue: [expect.stringMatching(/not one of the accounts/)] } });
    const cohort = await saveCategory(security, null, input({ name: 'Dev admins', cohort: 'wave-1', deadline: '2027-05-01T17:00' }));
    expect(cohort).toMatchObject({ status: 'invalid', fieldErrors: { cohort: [expect.stringMatching(/share its deadline/)] } });
    expect(await db.select().from(programCategories)).toHaveLength(1);
  });

  it('only the security team changes categories; admins and members are refused', async () => {
    await expect(saveCategory(admin, null, input({ name: 'X', cohort: 'x' }))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(saveCategory(member, null, input({ name: 'X', cohort: 'x' }))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(previewProgram(member)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(setReminderDays(db, admin, '3')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('reordering changes who a category captures, and is audited', async () => {
    await insertUsers([{ accountId: A, userName: 'ann', path: '/', tags: {}, groups: ['Admins'], consoleAccess: true, types: [] }]);
    expect((await saveCategory(security, null, input({ name: 'Account A', cohort: 'acct-a' }))).status).toBe('success');
    const adm = await saveCategory(security, null, input({ name: 'Admins', selectorKind: 'group', selectorValue: 'Admins', cohort: 'admins' }));
    const idOf = (r: typeof adm) => (r.status === 'success' ? r.data.id : 0);
    const who = async () => (await db.select({ c: programUsers.categoryName }).from(programUsers).where(eq(programUsers.userName, 'ann')))[0]!.c;
    expect(await who()).toBe('Account A');
    expect(await moveCategory(security, idOf(adm), 'up')).toMatchObject({ status: 'success', data: { order: ['Admins', 'Account A'] } });
    expect(await who()).toBe('Admins');
    expect((await lastAudit('program.category.reorder'))!.detail).toEqual({ before: { order: ['Account A', 'Admins'] }, after: { order: ['Admins', 'Account A'] } });
    expect(await moveCategory(security, idOf(adm), 'up')).toMatchObject({ status: 'success', message: expect.stringMatching(/already first/) });
  });

  it('previews: counts per category, users in none, and a draft before it is saved', async () => {
    await insertUsers([
      { accountId: A, userName: 'ann', path: '/', tags: {}, groups: ['Admins'], consoleAccess: true, types: ['hardware'] },
      { accountId: A, userName: 'bo', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] },
      { accountId: B, userName: 'cy', path: '/', tags: {}, groups: ['Admins'], consoleAccess: false, types: [] },
    ]);
    await saveCategory(security, null, input({ name: 'Account A', cohort: 'acct-a' }));
    const p = await previewProgram(admin);
    expect(p.categories).toEqual([expect.objectContaining({ name: 'Account A', users: 2, consoleUsers: 2, inScope: 2, compliant: 1 })]);
    expect(p.unmatched).toMatchObject({ users: 1, consoleUsers: 0, sample: [expect.objectContaining({ userName: 'cy' })] });
    const draft = await previewDraft(security, input({ name: 'Admins', selectorKind: 'group', selectorValue: 'Admins', cohort: 'admins' }), null);
    expect(draft).toEqual({ matches: 2, consoleMatches: 1, captured: 1, takenByEarlier: [{ name: 'Account A', users: 1 }] });
  });

  it('a category an override points at cannot be deleted', async () => {
    await insertUsers([{ accountId: B, userName: 'bo', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] }]);
    const r = await saveCategory(security, null, input({ name: 'Account A', cohort: 'acct-a' }));
    const id = r.status === 'success' ? r.data.id : 0;
    expect((await setDecision(admin, { accountId: B, userName: 'bo' }, { categoryId: id, decision: null, reason: null, approver: null, expiresAt: null })).status).toBe('success');
    expect(await deleteCategory(security, id)).toMatchObject({ status: 'error', code: 'InUse' });
  });
});

describe('decisions and exceptions', () => {
  beforeEach(reset);
  const parse = (p: Record<string, string>) => decisionInputSchema(new Date()).parse(p);
  const inAYear = () => new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);

  it('an exception leaves scope, is in the register, and is audited as an exception with before and after', async () => {
    await insertUsers([{ accountId: A, userName: 'ann', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] }]);
    const r = await setDecision(admin, { accountId: A, userName: 'ann' }, parse({ decision: 'exception', reason: 'Break-glass account in the safe', approver: 'Dave', expiresAt: inAYear() }));
    expect(r.status).toBe('success');
    const [row] = await db.select().from(programUsers).where(eq(programUsers.userName, 'ann'));
    expect(row).toMatchObject({ decision: 'exception', inScope: false, programGap: null, approver: 'Dave' });
    expect((await listExceptions(admin, 'active')).map((e) => e.userName)).toEqual(['ann']);
    const a = await lastAudit('program.exception.set');
    expect(a).toMatchObject({ actor: admin.id, target: `${A}/ann` });
    expect(a!.detail).toMatchObject({ before: null, after: { decision: 'exception', approver: 'Dave', reason: 'Break-glass account in the safe' } });

    expect((await setDecision(admin, { accountId: A, userName: 'ann' }, parse({}))).status).toBe('success');
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

  it('bulk: every per-user entry carries its own before and after and the run’s id, an exception its justification, approver and end date', async () => {
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
    const exception = parse({ decision: 'exception', reason: 'Shared test rig until it is retired', approver: 'Dave (CISO)', expiresAt: ends });
    expect(await bulkDecide(admin, { account: A }, exception, 2)).toMatchObject({ status: 'success', data: { changed: 2 } });
    entries = await auditSince(mark);
    const exceptionId = (entries.at(-1)!.detail as { bulkId: string }).bulkId;
    const after = { ...bySelector, decision: 'exception', reason: 'Shared test rig until it is retired', approver: 'Dave (CISO)', expiresAt: `${ends}T00:00:00.000Z` };
    expect(entries).toEqual([
      { actor: admin.id, action: 'program.exception.set', target: `${A}/svc-a`, outcome: 'success', detail: { before: outOfScope, after, bulkId: exceptionId } },
      { actor: admin.id, action: 'program.exception.set', target: `${A}/svc-b`, outcome: 'success', detail: { before: outOfScope, after, bulkId: exceptionId } },
      { actor: admin.id, action: 'program.decision.bulk', target: null, outcome: 'success', detail: { bulkId: exceptionId, filters: { account: A }, users: 2, changed: 2, after } },
    ]);
  });

  it('a per-user exception ending more than a year away is refused on its field, by the form and by the domain; at the limit it is accepted', async () => {
    await insertUsers([{ accountId: A, userName: 'ann', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] }]);
    const key = { accountId: A, userName: 'ann' };
    const exception = (expiresAt: Date): DecisionInput => ({ categoryId: null, decision: 'exception', reason: 'Break-glass account in the safe', approver: 'Dave', expiresAt });
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

    const limit = oneYearFrom(new Date());
    expect(await setDecision(admin, key, exception(limit))).toMatchObject({ status: 'success', data: { changed: true } });
    const [row] = await db.select().from(programDecisions);
    expect(row!.expiresAt?.toISOString()).toBe(limit.toISOString());
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
