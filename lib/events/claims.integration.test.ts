import { expect, it } from 'vitest';
import { describeOnDatabases } from '@/test-support/databases';
import { iamEventsApplied } from '@/lib/db/schema';
import { claimEvent, pruneClaims } from './claims';
import type { IamChangeEvent } from './parse';

const event = (accountId: string, eventId: string): IamChangeEvent => ({
  eventId,
  eventName: 'TagUser',
  effect: 'refresh',
  accountId,
  userName: 'alice',
  at: new Date('2026-12-01T10:00:00Z'),
});

describeOnDatabases('IAM event claims', (current) => {
  it('claims an eventID per account: the same id in another account is its own event, a second claim in one account is not', async () => {
    const { db } = current();
    const id = '6f1c3f1e-0000-4000-8000-000000000001';
    expect(await claimEvent(db, event('111111111111', id))).toBe('claimed');
    expect(await claimEvent(db, event('222222222222', id))).toBe('claimed');
    expect(await claimEvent(db, event('111111111111', id))).toBe('in-progress');
    await db.update(iamEventsApplied).set({ appliedAt: new Date() });
    expect(await claimEvent(db, event('222222222222', id))).toBe('applied');
  });

  it('keeps claims 15 days (no copy of an older event can still arrive), then deletes them', async () => {
    const { db } = current();
    const now = new Date();
    const days = (n: number) => new Date(now.getTime() - n * 86_400_000);
    await db.delete(iamEventsApplied);
    await db.insert(iamEventsApplied).values([
      { accountId: '111111111111', eventId: 'old-applied', eventName: 'TagUser', eventTime: days(20), claimedAt: days(16), appliedAt: days(16) },
      { accountId: '111111111111', eventId: 'old-stuck', eventName: 'TagUser', eventTime: days(20), claimedAt: days(16) },
      { accountId: '111111111111', eventId: 'recent', eventName: 'TagUser', eventTime: days(14), claimedAt: days(14), appliedAt: days(14) },
    ]);
    expect(await pruneClaims(db, now)).toBe(2);
    expect((await db.select().from(iamEventsApplied)).map((r) => r.eventId)).toEqual(['recent']);
  });
});
