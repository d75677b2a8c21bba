import { and, eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { inventoryUsers, programCategories, programDecisions, programUsers, userWindows } from '@/lib/db/schema';
import { describeOnDatabases } from '@/test-support/databases';
import { setTestEnv } from '@/test-support/env';
import { resolveProgram, type ActiveWindow, type ProgramCategory } from './resolve';
import { A, B, deviceFacts, insertUsers, resetDatabase, userRow, type UserSpec } from './program-test-setup';

// Stored rows carry the email index (lib/inventory/email-index.ts), which reads the configured tag key.
setTestEnv({
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'unit-test-secret-with-at-least-32-chars',
  MFA_ACCOUNTS: `${A},${B}`,
  MFA_ROLE_GROUPS_ACCOUNTS: A,
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
});

// The SQL view agrees with the TypeScript rule on random organisations, on PGlite and on a PostgreSQL server, also
// after random writes to users, decisions and categories (the view reads per-user facts that triggers keep, 0019).
describeOnDatabases('the program_users view equals resolveProgram', (current) => {
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
  // A user's windows (lib/windows): an active one sets the effective deadline; ended, rejected and pending ones do not.
  const arbWindows = fc.array(
    fc.record({ kind: fc.constantFrom('extension' as const, 'new-user' as const, 'grace' as const), status: fc.constantFrom('pending' as const, 'ended' as const, 'rejected' as const), days: fc.integer({ min: 1, max: 90 }) }),
    { maxLength: 2 },
  );
  const arbActive = fc.option(fc.record({ kind: fc.constantFrom('extension' as const, 'new-user' as const, 'grace' as const), days: fc.integer({ min: 1, max: 90 }) }));
  const arbDecision = fc.option(
    fc.record({
      override: fc.option(fc.nat(5)),
      decision: fc.option(fc.constantFrom('required' as const, 'exception' as const, 'out-of-scope' as const)),
      expired: fc.boolean(),
    }),
  );

  // A write after the first check: a user changed, deleted or given a decision; a decision removed; a category edited.
  const arbChange = fc.oneof(
    fc.record({ kind: fc.constant('user' as const), user: fc.nat(), change: arbUser }),
    fc.record({ kind: fc.constant('delete-user' as const), user: fc.nat() }),
    fc.record({ kind: fc.constant('decide' as const), user: fc.nat(), decision: fc.constantFrom('required' as const, 'out-of-scope' as const) }),
    fc.record({ kind: fc.constant('undecide' as const), user: fc.nat() }),
    fc.record({ kind: fc.constant('category' as const), category: fc.nat(), change: arbCategory }),
  );

  /** The stored facts are what program_user_facts_of gives for every user now: none missing, stale or left over. */
  async function expectFactsCurrent(db: ReturnType<typeof current>['db']) {
    const live = sql`SELECT f.* FROM inventory_users u CROSS JOIN LATERAL program_user_facts_of(u) f`;
    const rows = (r: unknown) => (r as { rows?: unknown[] }).rows ?? (r as unknown[]);
    expect(rows(await db.execute(sql`(${live}) EXCEPT SELECT * FROM program_user_facts`))).toEqual([]);
    expect(rows(await db.execute(sql`SELECT * FROM program_user_facts EXCEPT (${live})`))).toEqual([]);
  }

  it('on random organisations, programs and decisions, before and after random writes (property)', async () => {
    const now = Date.now();
    const { db } = current();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(arbUser, arbDecision, arbWindows, arbActive), { minLength: 1, maxLength: 25 }), fc.array(arbCategory, { maxLength: 5 }), fc.array(arbChange, { maxLength: 6 }), async (users, cats, changes) => {
        await resetDatabase(db);
        const specs = users.map(([u], i) => ({ ...u, userName: `u${i}` }));
        await insertUsers(specs, db);
        const windows = new Map<string, ActiveWindow>();
        for (const [i, [, , others, active]] of users.entries()) {
          const who = { accountId: specs[i]!.accountId, userName: specs[i]!.userName, reason: 'a reason', requestedBy: 'test' };
          for (const o of others) await db.insert(userWindows).values({ ...who, kind: o.kind, status: o.status, endsAt: new Date(now + o.days * 86_400_000) });
          if (!active) continue;
          const [row] = await db.insert(userWindows).values({ ...who, kind: active.kind, status: 'active', endsAt: new Date(now + (30 + active.days) * 86_400_000) }).returning();
          windows.set(`${who.accountId}/${who.userName}`, { id: row!.id, kind: row!.kind, endsAt: row!.endsAt });
        }
        const inserted: ProgramCategory[] = [];
        const categoryValues = (i: number, c: (typeof cats)[number]) => ({
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
            });
        for (const [i, c] of cats.entries()) {
          const [row] = await db.insert(programCategories).values(categoryValues(i, c)).returning();
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
        const expectViewMatches = async (specs: UserSpec[]) => {
        const view = await db.select().from(programUsers);
        expect(view).toHaveLength(specs.length);
        for (const v of view) {
          const spec = specs.find((s) => s.accountId === v.accountId && s.userName === v.userName)!;
          const window = windows.get(`${v.accountId}/${v.userName}`) ?? null;
          const expected = resolveProgram({ ...spec, devices: deviceFacts(spec) }, inserted, decisions.get(`${v.accountId}/${v.userName}`) ?? null, new Date(), window);
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
            deadline: v.deadline?.toISOString() ?? null,
            categoryDeadline: v.categoryDeadline?.toISOString() ?? null,
            window: v.windowId === null ? null : { id: v.windowId, kind: v.windowKind, endsAt: v.windowEndsAt?.toISOString() },
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
            deadline: expected.deadline?.toISOString() ?? null,
            categoryDeadline: expected.categoryDeadline?.toISOString() ?? null,
            window: expected.window && { id: expected.window.id, kind: expected.window.kind, endsAt: expected.window.endsAt.toISOString() },
          });
        }
        };
        await expectViewMatches(specs);

        for (const change of changes) {
          if (change.kind === 'category') {
            if (inserted.length === 0) continue;
            const k = change.category % inserted.length;
            const [row] = await db.update(programCategories).set(categoryValues(k, change.change)).where(eq(programCategories.id, inserted[k]!.id)).returning();
            inserted[k] = row!;
            continue;
          }
          if (specs.length === 0) continue;
          const i = change.user % specs.length;
          const spec = specs[i]!;
          const key = and(eq(inventoryUsers.accountId, spec.accountId), eq(inventoryUsers.userName, spec.userName));
          const decisionKey = and(eq(programDecisions.accountId, spec.accountId), eq(programDecisions.userName, spec.userName));
          if (change.kind === 'user') {
            specs[i] = { ...change.change, accountId: spec.accountId, userName: spec.userName };
            await db.update(inventoryUsers).set(userRow(specs[i]!)).where(key);
          } else if (change.kind === 'delete-user') {
            specs.splice(i, 1);
            await db.delete(userWindows).where(and(eq(userWindows.accountId, spec.accountId), eq(userWindows.userName, spec.userName)));
            windows.delete(`${spec.accountId}/${spec.userName}`);
            await db.delete(programDecisions).where(decisionKey);
            decisions.delete(`${spec.accountId}/${spec.userName}`);
            await db.delete(inventoryUsers).where(key);
          } else if (change.kind === 'undecide') {
            await db.delete(programDecisions).where(decisionKey);
            decisions.delete(`${spec.accountId}/${spec.userName}`);
          } else {
            const values = { accountId: spec.accountId, userName: spec.userName, categoryId: null, decision: change.decision, reason: change.decision === 'required' ? null : 'a reason long enough', approver: null, expiresAt: null, decidedBy: 'test' };
            const [row] = await db
              .insert(programDecisions)
              .values(values)
              .onConflictDoUpdate({ target: [programDecisions.accountId, programDecisions.userName], set: values })
              .returning();
            decisions.set(`${spec.accountId}/${spec.userName}`, row!);
          }
        }
        await expectFactsCurrent(db);
        await expectViewMatches(specs);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
