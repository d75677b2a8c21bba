import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { getDb, type Db } from '@/lib/db/client';
import { inventoryUsers, programCategories, programDecisions, userWindows, type DeviceType } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import { classify, type UserFacts } from './classify';
import { acquireRun, finishRun } from './runs';
import { computeTotals, writeSnapshot } from './totals';
import { toRow } from './store';
import { allInventoryUsers, getDashboard, getInventoryUser, listInventoryUsers } from './queries';
import { remediationFor } from './coverage-view';
import { userFiltersSchema, type UserFilters } from './user-filters';
import { generateValidationReport } from './report';

// Coverage follows the enrollment program: scope, exceptions and device rules come from the program_users view.
const A = '111111111111';
const B = '222222222222';
const DAY = 24 * 3600_000;
const admin: Actor = { id: 'dave@example.com', email: 'dave@example.com', name: 'Dave', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
let db: Db;

beforeAll(async () => {
  await useLocalStack();
  db = await getDb();
});

type Spec = { account?: string; console?: boolean; devices?: DeviceType[]; groups?: string[]; tags?: Record<string, string>; path?: string };
const facts = (userName: string, s: Spec = {}): UserFacts => ({
  accountId: s.account ?? A,
  userName,
  arn: `arn:aws:iam::${s.account ?? A}:user${s.path ?? '/'}${userName}`,
  path: s.path ?? '/',
  createdAt: null,
  tags: s.tags ?? {},
  groups: s.groups ?? [],
  consoleAccess: s.console ?? true,
  // Signed in yesterday: no stale-console flag, so remediations come from the program alone.
  passwordLastUsed: new Date(Date.now() - DAY),
  accessKeyLastUsed: null,
  devices: (s.devices ?? []).map((type, i) => ({ serial: type === 'virtual' ? `arn:aws:iam::${A}:mfa/${userName}-${i}` : `${type.toUpperCase()}-${userName}-${i}`, type, name: `${userName}-${i}`, enabledAt: null })),
  leftoverDevices: [],
});

const users: [string, Spec][] = [
  ['no-category-gap', {}],
  ['no-category-ok', { devices: ['virtual'] }],
  // in both groups: the first category by position wins
  ['prod-virtual', { groups: ['admins', 'prod-admins'], devices: ['virtual'] }],
  ['prod-one-token', { groups: ['prod-admins'], devices: ['hardware'] }],
  ['prod-two', { groups: ['prod-admins'], devices: ['hardware', 'fido'] }],
  ['admin-virtual', { groups: ['admins'], devices: ['virtual'], account: B }],
  ['contractor', { tags: { Team: 'contractors' } }],
  ['waived', {}],
  ['lapsed', {}],
  ['removed', {}],
  ['break-glass', { path: '/break-glass/' }],
  ['overridden', { groups: ['admins'], devices: ['virtual'], account: B }],
  ['api-only', { console: false }],
];

const list = async (f: Partial<UserFilters>) => (await listInventoryUsers(admin, userFiltersSchema.parse({ pageSize: 200, ...f }))).rows.map((r) => r.userName).sort();

describe('coverage with an empty program', () => {
  it('counts every console user in scope and MFA as any device: the numbers from before the program', async () => {
    await db.insert(inventoryUsers).values(users.map(([name, s]) => toRow(classify(facts(name, s)), 'inventory', null, new Date())));
    const { headline } = await getDashboard(admin, ['Team']);
    expect(headline).toEqual({ users: 13, consoleUsers: 12, inScope: 12, withMfa: 6, withoutMfa: 6, leftoverOnly: 0, exceptions: 0, expiredExceptions: 0, outOfScope: 0, phishingResistant: 1 });
    const totals = await computeTotals(db, [A, B]);
    expect(totals).toMatchObject({ consoleUsers: 12, inScope: 12, withMfa: 6, withoutMfa: 6, exceptions: 0, outOfScope: 0, coveragePct: 50 });
    expect(totals.byCohort).toEqual({ '(no category)': { inScope: 12, compliant: 6, deadline: null } });
  });
});

describe('coverage with the program', () => {
  const deadline = new Date(Date.now() + 30 * DAY);
  let prodId: number;
  let adminsId: number;

  beforeAll(async () => {
    const base = { selectorKey: null, allowedDeviceTypes: ['virtual', 'hardware', 'fido'] as DeviceType[], minDevices: 1, defaultDecision: 'required' as const, updatedBy: 'test' };
    // Admins is created first (lower id) but comes second: position decides.
    const [admins] = await db
      .insert(programCategories)
      .values({ ...base, name: 'Admins', position: 2, selectorKind: 'group', selectorValue: 'admins', deadline: new Date(Date.now() + 60 * DAY), cohort: 'admins' })
      .returning();
    const [prod] = await db
      .insert(programCategories)
      .values({ ...base, name: 'Prod admins', position: 1, selectorKind: 'group', selectorValue: 'prod-admins', allowedDeviceTypes: ['hardware', 'fido'], minDevices: 2, deadline, cohort: 'prod-admins' })
      .returning();
    await db.insert(programCategories).values([
      { ...base, name: 'Contractors', position: 3, selectorKind: 'tag', selectorKey: 'Team', selectorValue: 'contractors', defaultDecision: 'exception', reason: 'short engagements', approver: 'ciso@example.com', expiresAt: new Date(Date.now() + 90 * DAY), deadline, cohort: 'contractors' },
      { ...base, name: 'Break-glass', position: 4, selectorKind: 'path', selectorValue: '/break-glass/', defaultDecision: 'out-of-scope', reason: 'sealed credentials', deadline, cohort: 'break-glass' },
    ]);
    prodId = prod!.id;
    adminsId = admins!.id;
    const decision = { accountId: A, decidedBy: 'dave@example.com' };
    await db.insert(programDecisions).values([
      { ...decision, userName: 'waived', decision: 'exception', reason: 'leaving next month', approver: 'ciso@example.com', expiresAt: new Date(Date.now() + 20 * DAY) },
      { ...decision, userName: 'lapsed', decision: 'exception', reason: 'migration', approver: 'ciso@example.com', expiresAt: new Date(Date.now() - DAY) },
      { ...decision, userName: 'removed', decision: 'out-of-scope', reason: 'to be deleted' },
      { ...decision, accountId: B, userName: 'overridden', categoryId: prodId },
    ]);
  });

  it('takes exceptions and out-of-scope users out of scope, and brings expired exceptions back as gaps', async () => {
    const { headline } = await getDashboard(admin, ['Team']);
    // in scope: no-category-gap, no-category-ok, prod-virtual, prod-one-token, prod-two, admin-virtual, lapsed, overridden
    expect(headline).toEqual({ users: 13, consoleUsers: 12, inScope: 8, withMfa: 3, withoutMfa: 5, leftoverOnly: 0, exceptions: 2, expiredExceptions: 1, outOfScope: 2, phishingResistant: 1 });
    expect(headline.inScope + headline.exceptions + headline.outOfScope).toBe(headline.consoleUsers);
    const lapsed = await getInventoryUser(admin, A, 'lapsed');
    expect(lapsed).toMatchObject({ decision: 'exception', exceptionExpired: true, inScope: true, programGap: 'no-mfa' });
    expect(remediationFor(lapsed!)).toBe('enroll');
    expect(await getInventoryUser(admin, A, 'waived')).toMatchObject({ inScope: false, programGap: null });
    expect(await getInventoryUser(admin, A, 'contractor')).toMatchObject({ decision: 'exception', decisionSource: 'category', inScope: false });
  });

  it('applies device types and the backup rule, with their remediations', async () => {
    const virtual = await getInventoryUser(admin, A, 'prod-virtual');
    expect(virtual).toMatchObject({ categoryName: 'Prod admins', categorySource: 'selector', mfaState: 'enabled', programGap: 'disallowed-type' });
    expect(remediationFor(virtual!)).toBe('enroll-allowed-type');
    const oneToken = await getInventoryUser(admin, A, 'prod-one-token');
    expect(oneToken).toMatchObject({ programGap: 'needs-backup', allowedDevices: 1, minDevices: 2 });
    expect(remediationFor(oneToken!)).toBe('add-backup');
    expect(await getInventoryUser(admin, A, 'prod-two')).toMatchObject({ compliant: true, programGap: null });
  });

  it('puts a user in the first category by position, unless an admin overrides it', async () => {
    expect(await getInventoryUser(admin, B, 'admin-virtual')).toMatchObject({ categoryId: adminsId, compliant: true });
    expect(await getInventoryUser(admin, A, 'prod-virtual')).toMatchObject({ categoryId: prodId });
    expect(await getInventoryUser(admin, B, 'overridden')).toMatchObject({ categoryId: prodId, categorySource: 'override', decisionSource: 'category', programGap: 'disallowed-type' });
  });

  it('breaks coverage down by category in the security team’s order, and by account and tag', async () => {
    const d = await getDashboard(admin, ['Team']);
    expect(d.byCategory.map((c) => [c.name, c.cohort, c.inScope, c.compliant])).toEqual([
      ['Prod admins', 'prod-admins', 4, 1],
      ['Admins', 'admins', 1, 1],
      ['Contractors', 'contractors', 0, 0],
      ['Break-glass', 'break-glass', 0, 0],
      ['(no category)', null, 3, 1],
    ]);
    expect(d.byCategory[0]!.deadline?.getTime()).toBe(deadline.getTime());
    expect(d.byAccount).toEqual([
      { key: A, inScope: 6, compliant: 2 },
      { key: B, inScope: 2, compliant: 1 },
    ]);
    expect(d.byTag.Team).toContainEqual({ key: 'contractors', inScope: 0, compliant: 0 });
  });

  it('keeps per-cohort totals in snapshots and draws each cohort’s burndown from them plus now', async () => {
    const totals = await computeTotals(db, [A, B]);
    expect(totals).toMatchObject({ consoleUsers: 12, inScope: 8, withMfa: 3, withoutMfa: 5, exceptions: 2, outOfScope: 2, coveragePct: 37.5 });
    expect(totals.byAccount[B]).toEqual({ consoleUsers: 2, inScope: 2, withMfa: 1 });
    expect(totals.byCohort).toEqual({
      'prod-admins': { inScope: 4, compliant: 1, deadline: deadline.toISOString() },
      admins: { inScope: 1, compliant: 1, deadline: expect.any(String) },
      contractors: { inScope: 0, compliant: 0, deadline: deadline.toISOString() },
      'break-glass': { inScope: 0, compliant: 0, deadline: deadline.toISOString() },
      '(no category)': { inScope: 3, compliant: 1, deadline: null },
    });
    // Only the given accounts count.
    expect((await computeTotals(db, [B])).byCohort['prod-admins']).toEqual({ inScope: 1, compliant: 0, deadline: deadline.toISOString() });

    const lease = await acquireRun(db, { actor: 'test', trigger: 'manual', accountsTotal: 2 });
    if (!lease.started) throw new Error('lease busy');
    await writeSnapshot(db, lease.runId, totals);
    await finishRun(db, lease.runId, { status: 'succeeded', progress: { accountsTotal: 2, accountsDone: 2, usersSeen: 13, phase: 'done' }, calls: {} });
    // The owner adds a backup token: one gap fewer now.
    await db
      .update(inventoryUsers)
      .set({ devices: classify(facts('prod-one-token', { devices: ['hardware', 'fido'] })).devices })
      .where(and(eq(inventoryUsers.accountId, A), eq(inventoryUsers.userName, 'prod-one-token')));

    const d = await getDashboard(admin, []);
    const prod = d.burndown.find((b) => b.cohort === 'prod-admins')!;
    expect(prod.deadline?.getTime()).toBe(deadline.getTime());
    expect(prod.points.map((p) => p.remaining)).toEqual([3, 2]);
    expect(d.burndown.map((b) => b.cohort)).not.toContain('(no category)');
    expect(d.history.at(-1)).toMatchObject({ inScope: 8, withMfa: 3 });
    expect(prod.extended).toBe(0);

    // "More time": of the remaining gaps, those whose active window still runs. A window that has run out, an ended
    // one, or one of a user without a gap does not count.
    const gaps = (await db.execute(sql`SELECT account_id, user_name FROM program_users WHERE cohort = 'prod-admins' AND program_gap IS NOT NULL ORDER BY user_name`)) as unknown as { rows?: { account_id: string; user_name: string }[] };
    const [ahead, ranOut] = (gaps.rows ?? (gaps as unknown as { account_id: string; user_name: string }[])).map((r) => ({ accountId: r.account_id, userName: r.user_name }));
    const window = { kind: 'extension' as const, reason: 'test', requestedBy: 'dave@example.com' };
    await db.insert(userWindows).values([
      { ...ahead!, ...window, status: 'active', endsAt: new Date(Date.now() + 10 * DAY) },
      { ...ranOut!, ...window, status: 'active', endsAt: new Date(Date.now() - DAY) },
      { ...ranOut!, ...window, status: 'ended', endsAt: new Date(Date.now() + 10 * DAY) },
      { accountId: A, userName: 'prod-two', ...window, status: 'active', endsAt: new Date(Date.now() + 10 * DAY) },
    ]);
    try {
      const withWindows = await getDashboard(admin, []);
      expect(withWindows.burndown.find((b) => b.cohort === 'prod-admins')?.extended).toBe(1);
      // The join adds no row: every figure is as before.
      expect(withWindows.headline).toEqual(d.headline);
    } finally {
      await db.delete(userWindows);
    }
  });

  it('filters the users table by category, decision, scope and program gap', async () => {
    expect(await list({ category: String(prodId) })).toEqual(['overridden', 'prod-one-token', 'prod-two', 'prod-virtual']);
    expect(await list({ category: 'none' })).toEqual(['api-only', 'lapsed', 'no-category-gap', 'no-category-ok', 'removed', 'waived']);
    expect(await list({ decision: 'exception' })).toEqual(['contractor', 'waived']);
    expect(await list({ decision: 'expired-exception' })).toEqual(['lapsed']);
    expect(await list({ decision: 'out-of-scope' })).toEqual(['break-glass', 'removed']);
    expect(await list({ mfa: 'gap' })).toEqual(['lapsed', 'no-category-gap', 'overridden', 'prod-virtual']);
    expect(await list({ scope: 'in', mfa: 'compliant' })).toEqual(['admin-virtual', 'no-category-ok', 'prod-one-token', 'prod-two']);
    expect(await list({ scope: 'out', console: 'yes' })).toEqual(['break-glass', 'contractor', 'removed', 'waived']);
    const sorted = (await listInventoryUsers(admin, userFiltersSchema.parse({ sort: 'category', pageSize: 200 }))).rows.map((r) => r.categoryName);
    expect(sorted.slice(0, 3)).toEqual(['Admins', 'Break-glass', 'Contractors']);
    expect(sorted.at(-1)).toBeNull();

    const exported: string[] = [];
    for await (const rows of allInventoryUsers(admin, { decision: 'exception' }, 1)) exported.push(...rows.map((r) => `${r.userName}:${r.decisionSource}`));
    expect(exported.sort()).toEqual(['contractor:category', 'waived:user']);
  });

  it('generates the validation report from the program', async () => {
    const { report } = await generateValidationReport(admin);
    expect(report.totals).toEqual({ inScope: 8, enabled: 4, exceptions: 2, expiredExceptions: 1, outOfScope: 2, gaps: 4, coveragePct: 50 });
    expect(report.exceptions.map((e) => [e.userName, e.level, e.expired])).toEqual([
      ['contractor', 'category', false],
      ['lapsed', 'user', true],
      ['waived', 'user', false],
    ]);
    expect(report.outOfScope.map((o) => [o.userName, o.reason])).toEqual([
      ['break-glass', 'sealed credentials'],
      ['removed', 'to be deleted'],
    ]);
    expect(report.gaps.map((g) => [g.userName, g.remediation])).toEqual([
      ['lapsed', 'enroll'],
      ['no-category-gap', 'enroll'],
      ['prod-virtual', 'enroll-allowed-type'],
      ['overridden', 'enroll-allowed-type'],
    ]);
  });
});
