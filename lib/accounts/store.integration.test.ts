import { expect, it } from 'vitest';
import { describeOnDatabases } from '@/test-support/databases';
import { isManagedRecord, readAccountRecords, readManagedRecords, recordListing, recordReachability, type ListedAccount } from './store';

const T1 = new Date('2026-11-01T10:00:00Z');
const T2 = new Date('2026-11-02T10:00:00Z');
const T3 = new Date('2026-11-03T10:00:00Z');
const listed = (id: string, name: string, status: ListedAccount['status'] = 'managed', organizationsState: string | null = 'ACTIVE'): ListedAccount => ({ id, name, status, organizationsState });

describeOnDatabases('managed_accounts', (current) => {
  it('new accounts appear; one no longer listed becomes gone and one suspended inactive, both keeping their dates', async () => {
    const { db } = current();
    await recordListing(db, 'organizations', [listed('111111111111', 'Production'), listed('222222222222', 'Development'), listed('444444444444', 'Sandbox')], T1);
    await recordListing(db, 'organizations', [listed('111111111111', 'Prod (renamed)'), listed('444444444444', 'Sandbox', 'inactive', 'SUSPENDED'), listed('555555555555', 'Analytics')], T2);
    const rows = new Map((await readAccountRecords(db)).map((r) => [r.accountId, r]));
    expect(rows.get('111111111111')).toMatchObject({ name: 'Prod (renamed)', status: 'managed', firstSeenAt: T1, lastSeenAt: T2, lastManagedAt: T2 });
    expect(rows.get('222222222222')).toMatchObject({ status: 'gone', firstSeenAt: T1, lastSeenAt: T1, lastManagedAt: T1 });
    expect(rows.get('444444444444')).toMatchObject({ status: 'inactive', organizationsState: 'SUSPENDED', lastSeenAt: T2, lastManagedAt: T1 });
    expect(rows.get('555555555555')).toMatchObject({ status: 'managed', firstSeenAt: T2 });
    expect((await readManagedRecords(db)).map((r) => r.accountId)).toEqual(['111111111111', '555555555555']);
    // One account at a time (every credential and every event asks): managed only, not gone, suspended or unknown.
    expect(await Promise.all(['111111111111', '222222222222', '444444444444', '999999999999'].map((id) => isManagedRecord(db, id)))).toEqual([true, false, false, false]);
    // An empty listing (an organisation filtered to nothing) leaves nothing managed, and deletes no row.
    await recordListing(db, 'organizations', [], T3);
    expect(await readManagedRecords(db)).toEqual([]);
    expect((await readAccountRecords(db)).map((r) => [r.accountId, r.status])).toEqual([
      ['111111111111', 'gone'],
      ['222222222222', 'gone'],
      ['444444444444', 'gone'],
      ['555555555555', 'gone'],
    ]);
  });

  it('records whether the member role could be assumed, and clears the reason once it can', async () => {
    const { db } = current();
    await recordListing(db, 'static', [listed('111111111111', 'Production', 'managed', null)], T1);
    await recordReachability(db, '111111111111', 'AccessDenied (AccessDenied)', T1);
    expect((await readManagedRecords(db))[0]).toMatchObject({ reachable: false, unreachableReason: 'AccessDenied (AccessDenied)', reachabilityCheckedAt: T1, source: 'static' });
    await recordReachability(db, '111111111111', null, T2);
    expect((await readManagedRecords(db))[0]).toMatchObject({ reachable: true, unreachableReason: null, reachabilityCheckedAt: T2 });
    // Reachability of an account never listed writes nothing.
    await recordReachability(db, '999999999999', null, T2);
    expect((await readAccountRecords(db)).some((r) => r.accountId === '999999999999')).toBe(false);
  });
});
