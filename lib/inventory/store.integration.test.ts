import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { getDb, type Db } from '@/lib/db/client';
import { inventoryUsers } from '@/lib/db/schema';
import { classify, type UserFacts } from './classify';
import { acquireRun, finishRun } from './runs';
import { finishAccount, storeAccount, storeUsers, toRow, upsertUserRow, INSERT_BATCH } from './store';

// Storage rules on their own (no AWS): replacement per account, and rows the portal wrote meanwhile.
const A = '111111111111';
let db: Db;

beforeAll(async () => {
  await useLocalStack();
  db = await getDb();
});

const facts = (userName: string, devices = 0): UserFacts => ({
  accountId: A, userName, arn: `arn:aws:iam::${A}:user/${userName}`, path: '/', createdAt: null, tags: { Team: 't' }, groups: [],
  consoleAccess: true, passwordLastUsed: null, accessKeyLastUsed: null,
  devices: Array.from({ length: devices }, (_, i) => ({ serial: `GAHT${i}`, type: 'hardware' as const, name: `GAHT${i}`, enabledAt: null })),
  leftoverDevices: [],
});
const inventory = (users: UserFacts[]) => ({ accountId: A, alias: null, credentialReportAt: null, rootMfaActive: null, rootStatus: 'not-reported' as const, users: users.map((u) => classify(u)), unattributedLeftovers: [] });

async function newRun(): Promise<number> {
  const lease = await acquireRun(db, { actor: 'test', trigger: 'manual', accountsTotal: 1 });
  if (!lease.started) throw new Error('lease busy');
  return lease.runId;
}
const done = (runId: number) => finishRun(db, runId, { status: 'succeeded', progress: { accountsTotal: 1, accountsDone: 1, usersSeen: 0, phase: 'done' }, calls: {} });
const row = async (userName: string) => (await db.select().from(inventoryUsers).where(and(eq(inventoryUsers.accountId, A), eq(inventoryUsers.userName, userName))))[0];

describe('storeAccount', () => {
  it('stores more users than one batch, then replaces them: unseen rows go, the rest are updated', async () => {
    const many = Array.from({ length: INSERT_BATCH * 2 + 7 }, (_, i) => facts(`u${i}`));
    const first = await newRun();
    await storeAccount(db, first, inventory(many), new Date());
    await done(first);
    expect((await db.select().from(inventoryUsers).where(eq(inventoryUsers.accountId, A))).length).toBe(many.length);

    const second = await newRun();
    await storeAccount(db, second, inventory([facts('u0', 1), facts('new-user')]), new Date());
    await done(second);
    const rows = await db.select().from(inventoryUsers).where(eq(inventoryUsers.accountId, A));
    expect(rows.map((r) => r.userName).sort()).toEqual(['new-user', 'u0']);
    expect(rows.every((r) => r.runId === second && r.source === 'inventory')).toBe(true);
    expect((await row('u0'))?.mfaState).toBe('enabled');
  });

  it('batch by batch: written batches replace their rows at once, and unseen rows go only when the account ends', async () => {
    const base = await newRun();
    await storeAccount(db, base, inventory([facts('old-a'), facts('old-b'), facts('kept')]), new Date());
    await done(base);
    const run = await newRun();
    const startedAt = new Date();
    await storeUsers(db, run, inventory([facts('kept', 1), facts('fresh')]).users, startedAt);
    // An account that fails here keeps every previous row; the batch written is this run's newer read.
    let rows = await db.select().from(inventoryUsers).where(eq(inventoryUsers.accountId, A));
    expect(rows.map((r) => r.userName).sort()).toEqual(['fresh', 'kept', 'old-a', 'old-b']);
    expect((await row('kept'))).toMatchObject({ runId: run, mfaState: 'enabled' });
    expect((await row('old-a'))?.runId).toBe(base);
    await finishAccount(db, run, inventory([]), 2, startedAt);
    await done(run);
    rows = await db.select().from(inventoryUsers).where(eq(inventoryUsers.accountId, A));
    expect(rows.map((r) => r.userName).sort()).toEqual(['fresh', 'kept']);
  });

  it('leaves alone rows the portal wrote after the collection began, and still replaces older ones', async () => {
    const startedAt = new Date(Date.now() - 60_000);
    // u0: verified live just now (a new device); new-user: verified before this collection began.
    await db.insert(inventoryUsers).values(toRow(classify(facts('u0', 2)), 'verify', null, new Date())).onConflictDoUpdate({
      target: [inventoryUsers.accountId, inventoryUsers.userName],
      set: { devices: classify(facts('u0', 2)).devices, mfaState: 'enabled', source: 'verify', updatedAt: new Date() },
    });
    await db.update(inventoryUsers).set({ source: 'portal', updatedAt: new Date(startedAt.getTime() - 60_000) }).where(eq(inventoryUsers.userName, 'new-user'));
    // A user the portal enrolled during the run but the collection did not list yet.
    await db.insert(inventoryUsers).values(toRow(classify(facts('created-meanwhile', 1)), 'portal', null, new Date()));

    const run = await newRun();
    await storeAccount(db, run, inventory([facts('u0', 0), facts('new-user', 0)]), startedAt);
    await done(run);
    const u0 = await row('u0');
    expect(u0).toMatchObject({ source: 'verify', mfaState: 'enabled' });
    expect(u0?.devices).toHaveLength(2);
    expect(await row('new-user')).toMatchObject({ source: 'inventory', runId: run, mfaState: 'none' });
    expect(await row('created-meanwhile')).toMatchObject({ source: 'portal' });
  });
});

describe('upsertUserRow', () => {
  it('keeps the row of the live re-check that began last, whichever is written last; a full run\'s row is always replaced', async () => {
    const t1 = new Date('2026-12-05T10:00:00Z');
    const t2 = new Date('2026-12-05T10:00:01Z');
    // The re-check that began later (the device enabled) is written first; the earlier one (no device) lands after it.
    await upsertUserRow(db, toRow(classify(facts('raced', 1)), 'event', null, t2));
    const kept = await upsertUserRow(db, toRow(classify(facts('raced', 0)), 'event', null, t1));
    expect(kept).toMatchObject({ mfaState: 'enabled', updatedAt: t2 });
    expect(await row('raced')).toMatchObject({ mfaState: 'enabled', updatedAt: t2 });
    await upsertUserRow(db, toRow(classify(facts('raced', 0)), 'verify', null, new Date('2026-12-05T10:00:02Z')));
    expect((await row('raced'))?.mfaState).toBe('none');
    // Over a full run's row, a live re-check is newer whatever the stamps say (storeAccount keeps the other way right).
    const runId = await newRun();
    await storeAccount(db, runId, inventory([facts('from-run', 0)]), new Date());
    await done(runId);
    await upsertUserRow(db, toRow(classify(facts('from-run', 1)), 'event', null, t1));
    expect((await row('from-run'))?.mfaState).toBe('enabled');
  });
});
