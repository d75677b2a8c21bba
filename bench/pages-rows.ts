/**
 * The pages benchmark's inventory at sizes seeding through moto cannot reach in minutes (100,000 users): rows made
 * by the collection's own classify() and toRow() from the same synthetic population as bench/inventory.ts's
 * seedUser (console ~6 in 7, half with a virtual device, 2% a security key only, 1% a leftover set-up, every tenth
 * a service name, every eighth an operator), written straight into inventory_users of one managed account.
 */
import type { Db } from '../lib/db/client';

const DAY = 86_400_000;

export async function insertSyntheticUsers(db: Db, accountId: string, runId: number, users: number): Promise<void> {
  const { inventoryUsers } = await import('../lib/db/schema');
  const { classify } = await import('../lib/inventory/classify');
  const { toRow, INSERT_BATCH } = await import('../lib/inventory/store');
  const { toMfaDevice } = await import('../lib/aws/mfa-devices');
  const { userArn } = await import('../lib/iam-identifiers');
  const { fidoSerial } = await import('../infra/local/org-devices');
  const now = new Date();
  const user = (i: number) => {
    const userName = i % 10 === 0 ? `svc-bench-${i}` : `bench.user-${i}`;
    const devices = [];
    if (i % 10 >= 1 && i % 10 <= 5) devices.push(toMfaDevice(`arn:aws:iam::${accountId}:mfa/${userName}-app`, new Date(now.getTime() - (i % 300) * DAY)));
    if (i % 50 === 7) devices.push(toMfaDevice(fidoSerial(accountId, userName, 'key', `K${String(i).padStart(25, 'A')}`.slice(0, 26)), new Date(now.getTime() - (i % 200) * DAY)));
    return classify(
      {
        accountId,
        userName,
        arn: userArn(accountId, userName),
        path: '/',
        createdAt: new Date(now.getTime() - (30 + (i % 700)) * DAY),
        tags: { email: `${userName}@example.com`, Team: `team-${i % 7}` },
        groups: i % 8 === 3 ? ['operators'] : [],
        consoleAccess: i % 7 !== 0,
        passwordLastUsed: i % 3 === 0 ? null : new Date(now.getTime() - (i % 200) * DAY),
        accessKeyLastUsed: null,
        devices,
        leftoverDevices: i % 100 === 9 ? [`arn:aws:iam::${accountId}:mfa/${userName}`] : [],
      },
      now,
    );
  };
  for (let i = 0; i < users; i += INSERT_BATCH) {
    const batch = Array.from({ length: Math.min(INSERT_BATCH, users - i) }, (_, k) => toRow(user(i + k), 'inventory', runId, now));
    await db.insert(inventoryUsers).values(batch).onConflictDoNothing();
  }
}
