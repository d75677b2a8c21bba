import { beforeAll, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { describeOnDatabases } from '@/test-support/databases';
import type { Db } from '@/lib/db/client';
import { enrollmentEvents, inventoryUsers, programCategories, type DeviceType } from '@/lib/db/schema';
import { computeTotals } from '@/lib/inventory/totals';
import { userArn } from '@/lib/iam-identifiers';
import { readCampaign } from './read-model';

const A = '111111111111';
const B = '222222222222';
const accounts = [
  { id: A, label: 'Production' },
  { id: B, label: B },
];
const now = new Date('2026-12-05T10:00:00Z');
const daysAgo = (n: number) => new Date(Date.UTC(2026, 11, 5 - n, 9)).toISOString();

type Spec = { account?: string; group: string; devices?: { type: DeviceType; enabledAt: string | null }[]; leftover?: boolean; console?: boolean; owner?: string };

async function seed(db: Db) {
  const category = (name: string, group: string, cohort: string, deadline: string, extra: Partial<typeof programCategories.$inferInsert> = {}) => ({
    name,
    position: 1,
    selectorKind: 'group' as const,
    selectorValue: group,
    defaultDecision: 'required' as const,
    allowedDeviceTypes: ['virtual', 'hardware', 'fido'] as DeviceType[],
    deadline: new Date(deadline),
    cohort,
    updatedBy: 'test',
    ...extra,
  });
  await db.insert(programCategories).values([
    category('Engineers', 'eng', 'wave-1', '2026-12-20T00:00:00Z'),
    { ...category('Admins', 'adm', 'wave-1', '2026-12-15T00:00:00Z', { minDevices: 2 }), position: 2 },
    { ...category('Finance', 'fin', 'wave-2', '2027-03-01T00:00:00Z'), position: 3 },
  ]);
  const users: Record<string, Spec> = {
    // wave-1: 6 in scope (one without console is not), 3 enrolled on 3 days, 3 not.
    e1: { group: 'eng', devices: [{ type: 'virtual', enabledAt: daysAgo(1) }] },
    e2: { group: 'eng', devices: [{ type: 'fido', enabledAt: daysAgo(4) }] },
    e3: { group: 'eng', devices: [{ type: 'virtual', enabledAt: null }] },
    e4: { group: 'eng', owner: 'erin@example.com' },
    e5: { group: 'eng', account: B, leftover: true },
    e6: { group: 'eng', console: false },
    // Compliant at its second device: enrolled the day the backup was added.
    a1: { group: 'adm', devices: [{ type: 'virtual', enabledAt: daysAgo(40) }, { type: 'hardware', enabledAt: daysAgo(9) }] },
    a2: { group: 'adm', devices: [{ type: 'virtual', enabledAt: daysAgo(2) }] },
    // wave-2: one user who opened an enrollment (an event) but has no device yet.
    f1: { group: 'fin' },
  };
  await db.insert(inventoryUsers).values(
    Object.entries(users).map(([userName, s]) => ({
      accountId: s.account ?? A,
      userName,
      arn: userArn(s.account ?? A, userName),
      consoleAccess: s.console ?? true,
      tags: (s.owner ? { email: s.owner } : {}) as Record<string, string>,
      groups: [s.group],
      devices: (s.devices ?? []).map((d, i) => ({ serial: `arn:aws:iam::${s.account ?? A}:mfa/${userName}-${i}`, type: d.type, name: `${userName}-${i}`, enabledAt: d.enabledAt })),
      leftoverDevices: s.leftover ? [`arn:aws:iam::${B}:mfa/${userName}`] : [],
      mfaState: (s.devices?.length ? 'enabled' : s.leftover ? 'leftover-only' : 'none') as 'enabled' | 'none' | 'leftover-only',
      source: 'inventory' as const,
    })),
  );
  await db.insert(enrollmentEvents).values({ actor: 'f1@example.com', accountId: A, userName: 'f1', kind: 'virtual.start', outcome: 'failure', reason: 'Abandoned' });
}

describeOnDatabases('the campaign read model', (database) => {
  let db: Db;
  beforeAll(async () => {
    db = database().db;
    await seed(db);
  });

  it('counts each cohort in scope and enrolled as the coverage totals do, with the enrolled per day from the enable dates', async () => {
    const c = await readCampaign(db, { now, emailTagKey: 'email', accounts, requestTables: new Set() });
    const totals = await computeTotals(db, [A, B]);
    expect(c.cohorts.map((x) => x.cohort)).toEqual(['wave-1', 'wave-2']);
    for (const x of c.cohorts) {
      expect({ inScope: x.inScope, enrolled: x.enrolled }, x.cohort).toEqual({ inScope: totals.byCohort[x.cohort]!.inScope, enrolled: totals.byCohort[x.cohort]!.compliant });
    }
    const w1 = c.cohorts[0]!;
    expect(w1).toMatchObject({ inScope: 7, enrolled: 4, remaining: 3, categories: ['Engineers', 'Admins'] });
    // The earliest deadline of the cohort's categories.
    expect(w1.deadline.toISOString()).toBe('2026-12-15T00:00:00.000Z');
    const enrolledOn = Object.fromEntries(w1.series.days.filter((d) => d.enrolled > 0).map((d) => [d.day, d.enrolled]));
    expect(enrolledOn).toEqual({ '2026-11-26': 1, '2026-12-01': 1, '2026-12-04': 1 });
    expect(w1.series.days[0]!.day).toBe('2026-11-26');
    expect(w1.series.days).toHaveLength(10);
    expect(w1.series.unknownDate).toBe(1);
    expect(w1.series.days.at(-1)!.cumulative + w1.series.unknownDate).toBe(w1.enrolled);
    // 3 enrolled in the last 14 days, 2 in the last 7.
    expect(w1.rate14).toBeCloseTo(3 / 14);
    expect(w1.rate7).toBeCloseTo(2 / 7);
    // 3 remaining at 3/14 a day: 14 days from 5 Dec is 19 Dec, 4 days after 15 Dec.
    expect(w1.projectionText).toBe('4 days late');
  });

  it('lists who has done nothing: no device, no enrollment opened, no request; with owner and account', async () => {
    const c = await readCampaign(db, { now, emailTagKey: 'email', accounts, requestTables: new Set() });
    const [w1, w2] = c.cohorts;
    // a2 has a device (needs a backup), e5 a leftover from an abandoned set-up: both did something.
    expect(w1!.idle).toEqual([{ accountId: A, accountLabel: 'Production', userName: 'e4', owner: 'erin@example.com', category: 'Engineers' }]);
    expect(w1!.idleCount).toBe(1);
    // f1 opened an enrollment: not idle; wave-2 has no progress at all.
    expect(w2!.idle).toEqual([]);
    expect(w2!.projectionText).toBe('no progress in 14 days');
    expect(c.idleUnchecked).toEqual(['user_windows', 'recovery_requests', 'exception_requests']);
  });

  it('shows a request figure whose table is missing as not available, with the reason, never as zero', async () => {
    const c = await readCampaign(db, { now, emailTagKey: 'email', accounts, requestTables: new Set() });
    expect(c.cohorts[0]!.requests.recoveries).toEqual({ available: false, reason: expect.stringContaining('no recovery_requests table') });
    expect(c.cohorts[0]!.requests.extensions).toEqual({ available: false, reason: expect.stringContaining('no user_windows table') });
  });

  it('caps the listed idle users, not their count', async () => {
    const c = await readCampaign(db, { now, emailTagKey: 'email', accounts, requestTables: new Set(), idleLimit: 0 });
    expect(c.cohorts[0]!).toMatchObject({ idle: [], idleCount: 1 });
  });

  it('counts pending requests and running graces per cohort from their tables, and a request takes a user off "done nothing yet"', async () => {
    const [finance] = await db.select({ id: programCategories.id }).from(programCategories).where(eq(programCategories.name, 'Finance'));
    const later = new Date('2027-01-15T00:00:00Z');
    await db.execute(sql`INSERT INTO user_windows (account_id, user_name, kind, status, ends_at, reason, requested_by) VALUES
      (${A}, 'e4', 'extension', 'pending', ${later.toISOString()}::timestamptz, 'Travelling', 'erin@example.com'),
      (${A}, 'a2', 'grace', 'active', ${later.toISOString()}::timestamptz, 'Lost phone', 'carol@example.com'),
      (${A}, 'e1', 'extension', 'rejected', ${later.toISOString()}::timestamptz, 'No', 'x@example.com')`);
    await db.execute(sql`INSERT INTO recovery_requests (account_id, user_name, device_serial, device_type, device_name, what, reported_by)
      VALUES (${A}, 'e2', 'arn:aws:iam::111111111111:mfa/e2-0', 'fido', 'e2-0', 'lost', 'e2@example.com')`);
    await db.execute(sql`INSERT INTO exception_requests (account_id, user_name, category_id, justification, expires_at, requested_by) VALUES
      (${B}, 'e5', NULL, 'Shared kiosk', ${later.toISOString()}::timestamptz, 'carol@example.com'),
      (NULL, NULL, ${finance!.id}, 'Whole team on leave', ${later.toISOString()}::timestamptz, 'dave@example.com')`);

    const c = await readCampaign(db, { now, emailTagKey: 'email', accounts });
    const [w1, w2] = c.cohorts;
    const count = (n: number) => ({ available: true, count: n });
    expect(w1!.requests).toEqual({ extensions: count(1), recoveries: count(1), exceptions: count(1), graces: count(1) });
    expect(w2!.requests).toEqual({ extensions: count(0), recoveries: count(0), exceptions: count(1), graces: count(0) });
    // e4 asked for more time: no longer "done nothing".
    expect(w1!).toMatchObject({ idle: [], idleCount: 0 });
    expect(c.idleUnchecked).toEqual([]);
  });
});
