import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { describeOnDatabases } from '@/test-support/databases';
import { useLocalStack } from '@/test-support/stack';
import { inventoryUsers } from '@/lib/db/schema';
import type { Db } from '@/lib/db/client';
import { classify, type UserFacts } from './classify';
import { storeUsers, toRow, upsertUserRow } from './store';

// storeUsers sends a batch as one JSON parameter (json_to_recordset): every column must arrive exactly as drizzle's
// own insert of the same row (upsertUserRow) stores it, awkward values included.
const A = '222222222222';
const awkward = (userName: string): UserFacts => ({
  accountId: A,
  userName,
  arn: `arn:aws:iam::${A}:user/team/${userName}`,
  path: '/team/',
  createdAt: new Date('2024-02-29T23:59:59.123Z'),
  tags: { email: `${userName}@Example.com `, Note: 'quoted " backslash \\ apostrophe \' <&> ünïcødé ✓', Empty: '' },
  groups: ['admins', 'o\'reilly'],
  consoleAccess: true,
  passwordLastUsed: new Date('2026-01-02T03:04:05.678Z'),
  accessKeyLastUsed: null,
  devices: [
    { serial: `arn:aws:iam::${A}:mfa/${userName}-phone`, type: 'virtual', name: `${userName}-phone`, enabledAt: '2025-05-05T05:05:05.000Z' },
    { serial: `arn:aws:iam::${A}:u2f/user/${userName}/key-ABC`, type: 'fido', name: 'key-ABC', enabledAt: null, certifications: { FIDO: 'L1' } },
  ],
  leftoverDevices: [`arn:aws:iam::${A}:mfa/${userName}-old`],
});

describe('storeUsers', () => {
  // classify's default flag rules come from the portal's settings.
  beforeAll(async () => {
    await useLocalStack();
  });

  describeOnDatabases('one JSON parameter per batch', (database) => {
    const read = async (db: Db, userName: string) =>
      (await db.select().from(inventoryUsers).where(and(eq(inventoryUsers.accountId, A), eq(inventoryUsers.userName, userName))))[0];

    it('stores every column as drizzle stores the same row', async () => {
      const { db } = database();
      const at = new Date('2026-03-01T10:00:00.250Z');
      const batchUser = classify(awkward('first.person'), at);
      const singleUser = classify(awkward('second.person'), at);
      expect(batchUser.flags.length + batchUser.devices.length).toBeGreaterThan(0);
      await storeUsers(db, 7, [batchUser], new Date('2026-03-01T09:00:00Z'), at);
      await upsertUserRow(db, toRow(singleUser, 'inventory', 7, at));
      const viaBatch = await read(db, 'first.person');
      const viaDrizzle = await read(db, 'second.person');
      const rename = (row: typeof viaBatch) => JSON.parse(JSON.stringify(row).replaceAll('second.person', 'first.person'));
      expect(viaBatch).toBeDefined();
      expect(rename(viaDrizzle)).toEqual(JSON.parse(JSON.stringify(viaBatch)));
      expect(viaBatch).toMatchObject({ path: '/team/', emailTag: 'first.person@example.com', runId: 7, source: 'inventory', mfaState: batchUser.mfaState });
      expect(viaBatch!.passwordLastUsed?.toISOString()).toBe('2026-01-02T03:04:05.678Z');
      expect(viaBatch!.tags.Note).toBe('quoted " backslash \\ apostrophe \' <&> ünïcødé ✓');
    });

    it('updates inventory rows and rows older than the collection, and leaves newer portal rows alone', async () => {
      const { db } = database();
      const startedAt = new Date('2026-04-01T00:00:00Z');
      await upsertUserRow(db, toRow(classify(awkward('portal.newer')), 'portal', null, new Date('2026-04-01T00:05:00Z')));
      await upsertUserRow(db, toRow(classify(awkward('portal.older')), 'portal', null, new Date('2026-03-31T23:55:00Z')));
      const seen = ['portal.newer', 'portal.older', 'fresh.user'].map((n) => classify({ ...awkward(n), consoleAccess: false, devices: [] }));
      await storeUsers(db, 8, seen, startedAt, new Date('2026-04-01T00:10:00Z'));
      expect(await read(db, 'portal.newer')).toMatchObject({ source: 'portal', consoleAccess: true });
      expect(await read(db, 'portal.older')).toMatchObject({ source: 'inventory', consoleAccess: false, runId: 8, devices: [] });
      expect(await read(db, 'fresh.user')).toMatchObject({ source: 'inventory', consoleAccess: false, runId: 8 });
    });
  });
});
