/**
 * `npm run bench freshness`: how long an IAM change made directly against AWS (the local stack's AWS endpoint, not
 * the portal) takes to show on the admin dashboard's figures and on the member's page, with the portal consuming
 * IAM change events (lib/events) and no inventory run. Figures are printed, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateLoginProfileCommand, CreateUserCommand, CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, IAMClient } from '@aws-sdk/client-iam';
import { assumeRole } from '../infra/local/aws-clients';
import { consoleCredentials } from '../infra/local/console';
import { DEV_ACCOUNT, LOCAL_CONSOLE_ROLE_NAME } from '../infra/local/organisation';
import { startStack } from '../infra/local/stack';
import { consecutiveCodes, secretFromSeed } from '../infra/local/totp';
import { roleArn, userArn } from '../lib/iam-identifiers';
import { median, ms, percentile } from './stats';

const USERS = Number(process.env.BENCH_FRESHNESS_USERS ?? 12);
const POLL_MS = 100;
const GIVE_UP_MS = 60_000;

export async function benchFreshness() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-bench-fresh-'));
  const stack = await startStack({ dataDir, portalUrl: 'http://127.0.0.1:3999', usersPerAccount: 5 });
  let stopConsumer: (() => Promise<void>) | undefined;
  try {
    Object.assign(process.env, stack.env, { DATABASE_URL: `pglite:${path.join(dataDir, 'pglite')}` });
    const { getDatabase, getDb } = await import('../lib/db/client');
    const { inventoryRuns } = await import('../lib/db/schema');
    const { getDashboard } = await import('../lib/inventory/queries');
    const { getMemberOverview } = await import('../lib/members/overview');
    const { startEventLoop } = await import('../lib/events/consumer');
    const { eventCounts } = await import('../lib/events/counters');
    await getDatabase();
    const consumer = startEventLoop(stack.eventQueues.queueUrl);
    stopConsumer = () => consumer.stop();

    const admin = { id: 'bench-admin', email: 'bench@example.com', name: 'bench', method: 'oidc' as const, roles: ['admin' as const, 'member' as const], principals: [], authTime: Math.floor(Date.now() / 1000) };
    const member = (userName: string) => {
      const principal = { accountId: DEV_ACCOUNT, userName, arn: userArn(DEV_ACCOUNT, userName) };
      return { id: principal.arn, email: null, name: userName, method: 'aws-keys' as const, roles: ['member' as const], principals: [principal], authTime: Math.floor(Date.now() / 1000) };
    };
    const target = { endpoint: stack.awsEndpoint, region: stack.groundTruth.region };
    const credentials = await assumeRole(target, consoleCredentials(stack.groundTruth), roleArn(DEV_ACCOUNT, LOCAL_CONSOLE_ROLE_NAME), { sessionName: 'bench-admin' });
    // An administrator at the IAM API, through the AWS endpoint: the portal is not involved.
    const iam = new IAMClient({ ...target, credentials });
    const db = await getDb();
    const runsBefore = (await db.select({ id: inventoryRuns.id }).from(inventoryRuns)).length;

    const dashboardLag: number[] = [];
    const memberLag: number[] = [];
    /** Polls until `shown` holds; the time from `since` (when AWS answered the change). */
    const until = async (since: number, shown: () => Promise<boolean>): Promise<number> => {
      for (;;) {
        if (await shown()) return performance.now() - since;
        if (performance.now() - since > GIVE_UP_MS) throw new Error(`a change did not show within ${GIVE_UP_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };
    const headline = async () => (await getDashboard(admin, [])).headline;
    const measure = async (change: () => Promise<unknown>, onDashboard: () => Promise<boolean>, onMemberPage: () => Promise<boolean>) => {
      await change();
      const answered = performance.now();
      const [d, m] = await Promise.all([until(answered, onDashboard), until(answered, onMemberPage)]);
      dashboardLag.push(d);
      memberLag.push(m);
    };

    const started = performance.now();
    for (let i = 0; i < USERS; i++) {
      const UserName = `fresh-${i}-${Date.now() % 100_000}`;
      const overview = async () => (await getMemberOverview(member(UserName)))[0];
      const base = await headline();
      await measure(
        () => iam.send(new CreateUserCommand({ UserName })),
        async () => (await headline()).users === base.users + 1,
        async () => (await overview())?.ok === true,
      );
      await measure(
        () => iam.send(new CreateLoginProfileCommand({ UserName, Password: `Bench-${i}-${Date.now()}!aA` })),
        async () => (await headline()).consoleUsers === base.consoleUsers + 1,
        async () => {
          const o = await overview();
          return o?.ok === true && o.consoleAccess;
        },
      );
      const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: UserName }));
      const codes = consecutiveCodes(secretFromSeed(device.VirtualMFADevice!.Base32StringSeed!));
      await measure(
        () => iam.send(new EnableMFADeviceCommand({ UserName, SerialNumber: device.VirtualMFADevice!.SerialNumber!, ...codes })),
        async () => (await headline()).withMfa === base.withMfa + 1,
        async () => {
          const o = await overview();
          return o?.ok === true && o.status === 'protected';
        },
      );
    }
    const wall = performance.now() - started;
    const fullRuns = (await db.select({ id: inventoryRuns.id }).from(inventoryRuns)).length - runsBefore;
    iam.destroy();

    const counts = eventCounts();
    console.log(`\nFreshness: ${dashboardLag.length} IAM changes made directly against AWS (CreateUser, CreateLoginProfile, EnableMFADevice x ${USERS} users), in ${(wall / 1000).toFixed(1)} s`);
    console.log(`  admin dashboard (getDashboard headline): p50 ${ms(median(dashboardLag))}, p95 ${ms(percentile(dashboardLag, 95))}, max ${ms(Math.max(...dashboardLag))}`);
    console.log(`  member's page (getMemberOverview):       p50 ${ms(median(memberLag))}, p95 ${ms(percentile(memberLag, 95))}, max ${ms(Math.max(...memberLag))}`);
    console.log(`  full inventory runs during the changes: ${fullRuns}`);
    console.log(`  events: ${counts.applied} applied, ${counts.failed} failed, dropped ${JSON.stringify(counts.dropped)}`);
    console.log(`  goal: p95 under 15 s, 0 full runs -> ${percentile(dashboardLag, 95) < 15_000 && percentile(memberLag, 95) < 15_000 && fullRuns === 0 ? 'met' : 'NOT met'}`);
  } finally {
    await stopConsumer?.();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
