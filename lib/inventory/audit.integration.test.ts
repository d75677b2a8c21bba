import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { setTestEnv } from '@/test-support/env';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { auditLog } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import { startInventorySchedule, waitForRun } from './refresh';
import { verifyUserNow } from './verify';
import { generateValidationReport } from './report';

let someUser: { accountId: string; userName: string; arn: string };

beforeAll(async () => {
  const { groundTruth } = await useLocalStack();
  someUser = groundTruth.users[0]!;
  // Read once by lib/env on first use, which is in this file's own module graph.
  setTestEnv({ MFA_INVENTORY_REFRESH_MINUTES: '5' });
  resetAwsClients();
});

afterAll(() => {
  vi.useRealTimers();
});

const admin: Actor = { id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
const rowsBy = async (actor: string) => (await getDb()).select().from(auditLog).where(eq(auditLog.actor, actor)).orderBy(asc(auditLog.seq));
const auditRows = async () => (await getDb()).select().from(auditLog).where(eq(auditLog.actor, 'scheduler')).orderBy(asc(auditLog.seq));

describe('the in-process inventory schedule', () => {
  it('audits the collection it starts, and its end, as the scheduler', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    startInventorySchedule();
    expect(await auditRows()).toEqual([]);
    vi.advanceTimersByTime(5 * 60_000);
    // The collection's own heartbeat keeps real timers.
    vi.useRealTimers();
    await vi.waitFor(async () => expect((await auditRows()).length).toBeGreaterThan(0), { timeout: 30_000, interval: 100 });
    const [start] = await auditRows();
    expect(start).toMatchObject({ action: 'inventory.refresh', outcome: 'success', detail: { trigger: 'schedule', runId: expect.any(Number) } });
    const run = await waitForRun(start!.detail.runId as number);
    expect(run?.trigger).toBe('schedule');
    const rows = await auditRows();
    expect(rows.map((r) => [r.action, r.detail.runId])).toEqual([
      ['inventory.refresh', run!.id],
      ['inventory.run', run!.id],
    ]);
    expect(rows[1]).toMatchObject({ outcome: run!.status === 'succeeded' ? 'success' : 'failure', detail: { trigger: 'schedule', status: run!.status } });
  }, 120_000);

  it('audits an admin\'s verify-now and a generated report in the domain, whoever calls it', async () => {
    const { arn } = someUser;
    await verifyUserNow(admin, { accountId: someUser.accountId, userName: someUser.userName, arn });
    const { id } = await generateValidationReport(admin);
    expect((await rowsBy(admin.id)).map((r) => [r.action, r.target, r.outcome, r.detail])).toEqual([
      ['inventory.verify-user', arn, 'success', {}],
      ['report.generate', null, 'success', { reportId: id }],
    ]);
    await expect(verifyUserNow({ ...admin, id: 'alice@example.com', roles: ['member'] }, { accountId: someUser.accountId, userName: someUser.userName, arn })).rejects.toThrow(/admin role/);
  }, 60_000);
});
