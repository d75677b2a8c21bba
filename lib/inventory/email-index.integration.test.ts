import { beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeOnDatabases } from '@/test-support/databases';
import { useLocalStack } from '@/test-support/stack';
import { inventoryUsers } from '@/lib/db/schema';
import type { Db } from '@/lib/db/client';
import { classify, type UserFacts } from './classify';
import { lookupEmail } from './email-index';
import { acquireRun, finishRun } from './runs';
import { storeAccount, toRow, upsertUserRow } from './store';

// The index as the stored rows keep it (no AWS): written by a run's replacement and by single-row writes.
const A = '111111111111';
const B = '222222222222';

beforeAll(async () => {
  // toRow reads MFA_EMAIL_TAG_KEY from the portal's settings: the local stack's ("email").
  await useLocalStack();
});

const facts = (accountId: string, userName: string, tags: Record<string, string>): UserFacts => ({
  accountId, userName, arn: `arn:aws:iam::${accountId}:user/${userName}`, path: '/', createdAt: null, tags, groups: [],
  consoleAccess: true, passwordLastUsed: null, accessKeyLastUsed: null, devices: [], leftoverDevices: [],
});

async function storeRun(db: Db, accountId: string, users: UserFacts[]): Promise<void> {
  const lease = await acquireRun(db, { actor: 'test', trigger: 'manual', accountsTotal: 1 });
  if (!lease.started) throw new Error('lease busy');
  const inv = { accountId, alias: null, credentialReportAt: null, rootMfaActive: null, rootStatus: 'not-reported' as const, users: users.map((u) => classify(u)), unattributedLeftovers: [] };
  await storeAccount(db, lease.runId, inv, new Date());
  await finishRun(db, lease.runId, { status: 'succeeded', progress: { accountsTotal: 1, accountsDone: 1, usersSeen: users.length, phase: 'done' }, calls: {} });
}

const names = (lookup: Awaited<ReturnType<typeof lookupEmail>>) => lookup.candidates.map((c) => `${c.accountId}/${c.userName}`).sort();

describeOnDatabases('the sign-in email index', (current) => {
  it('is empty, and says so per account, before any inventory', async () => {
    expect(await lookupEmail(current().db, 'bob@example.com', [A, B], 'email')).toEqual({ candidates: [], unindexed: [A, B] });
  });

  it('a run indexes trimmed, lower-cased email tags of the configured key only; other accounts stay unindexed', async () => {
    const { db } = current();
    await storeRun(db, A, [
      facts(A, 'bob', { email: '  Bob@Example.COM ' }),
      facts(A, 'bob-admin', { email: 'bob@example.com', Team: 'ops' }),
      facts(A, 'mail-only', { mail: 'bob@example.com' }),
      facts(A, 'untagged', {}),
    ]);
    const lookup = await lookupEmail(db, 'bob@example.com', [A, B], 'email');
    expect(names(lookup)).toEqual([`${A}/bob`, `${A}/bob-admin`]);
    expect(lookup.candidates.find((c) => c.userName === 'bob')?.arn).toBe(`arn:aws:iam::${A}:user/bob`);
    expect(lookup.unindexed).toEqual([B]);
    // Rows read under another tag key are not in that key's index: the accounts count as unindexed.
    expect(await lookupEmail(db, 'bob@example.com', [A, B], 'mail')).toEqual({ candidates: [], unindexed: [A, B] });
    // Only the accounts asked about (the managed ones) are searched.
    expect(await lookupEmail(db, 'bob@example.com', [B], 'email')).toEqual({ candidates: [], unindexed: [B] });
  });

  it('the next run replaces the entries: a retagged or deleted user leaves the index', async () => {
    const { db } = current();
    await storeRun(db, A, [facts(A, 'bob', { email: 'robert@example.com' }), facts(A, 'untagged', {})]);
    expect(names(await lookupEmail(db, 'bob@example.com', [A], 'email'))).toEqual([]);
    expect(names(await lookupEmail(db, 'robert@example.com', [A], 'email'))).toEqual([`${A}/bob`]);
  });

  it('a single-row write (verify, enrollment) keeps the entry in step with the row\'s tags', async () => {
    const { db } = current();
    await upsertUserRow(db, toRow(classify(facts(B, 'carol', { email: 'Carol@Example.com' })), 'verify', null, new Date()));
    expect(await lookupEmail(db, 'carol@example.com', [A, B], 'email')).toEqual({
      candidates: [{ accountId: B, userName: 'carol', arn: `arn:aws:iam::${B}:user/carol` }],
      unindexed: [],
    });
    await upsertUserRow(db, toRow(classify(facts(B, 'carol', {})), 'verify', null, new Date()));
    expect(names(await lookupEmail(db, 'carol@example.com', [B], 'email'))).toEqual([]);
    const [row] = await db.select().from(inventoryUsers).where(eq(inventoryUsers.userName, 'carol'));
    expect(row).toMatchObject({ emailTag: null, emailTagKey: 'email' });
  });
});
