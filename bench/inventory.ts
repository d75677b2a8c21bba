/**
 * Inventory benchmark: our bulk collection against a straightforward per-user scan (ListUsers, then
 * GetLoginProfile, ListMFADevices and ListUserTags per user), for growing numbers of users in ONE account of a
 * throwaway local stack. Each scan runs in its own child process so its peak memory is its own.
 * Figures are printed next to the targets, never asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { newFidoSerial } from '../infra/local/console';
import { consecutiveCodes, secretFromSeed } from '../infra/local/totp';

const ACCOUNT = '222222222222';
const SEED_CONCURRENCY = 16;
/** In-flight calls for the per-user scan, the same bound our collection uses for its per-user calls. */
const SCAN_CONCURRENCY = 8;

type Mode = 'inventory' | 'per-user';
type ChildResult = { users: number; calls: Record<string, number>; total: number; wallMs: number; baseRssMb: number; peakRssMb: number; peakHeapMb: number; status?: string };

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/**
 * User i of the synthetic account: ~86% with a console password; half with a virtual device, 2% with a FIDO
 * key only (what our collection must ListMFADevices for), 1% with an unassigned console leftover; every tenth a
 * service name. Deterministic, so the sizes build on each other.
 */
export async function seedUser(iam: IAMClient, i: number): Promise<{ nonVirtualMfa: boolean }> {
  const userName = i % 10 === 0 ? `svc-bench-${i}` : `bench.user-${i}`;
  await iam.send(new CreateUserCommand({ UserName: userName, Tags: [{ Key: 'email', Value: `${userName}@example.com` }, { Key: 'Team', Value: `team-${i % 7}` }] }));
  if (i % 7 !== 0) await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: `Bench-${i}-Passw0rd!` }));
  if (i % 10 >= 1 && i % 10 <= 5) {
    const created = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${userName}-app` }));
    const d = created.VirtualMFADevice!;
    await iam.send(new EnableMFADeviceCommand({ UserName: userName, SerialNumber: d.SerialNumber!, ...consecutiveCodes(secretFromSeed(d.Base32StringSeed!)) }));
    return { nonVirtualMfa: false };
  }
  if (i % 50 === 7) {
    const serial = newFidoSerial(ACCOUNT, userName, 'key');
    await iam.send(new EnableMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1: '000000', AuthenticationCode2: '000000' }));
    return { nonVirtualMfa: true };
  }
  if (i % 100 === 9) await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: userName }));
  return { nonVirtualMfa: false };
}

function runChild(mode: Mode, env: Record<string, string>): Promise<ChildResult> {
  const tsx = path.join(process.cwd(), 'node_modules/tsx/dist/cli.mjs');
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, '--conditions=react-server', self, '--inventory-child', mode], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`inventory bench child (${mode}) exited ${code}: ${out.slice(-2000)}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)) as ChildResult);
    });
  });
}

/** In the child: one scan, with process.memoryUsage() sampled every 50 ms. */
async function child(mode: Mode): Promise<void> {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 50);
  const { getDatabase } = await import('../lib/db/client');
  await getDatabase();
  // The fixed cost before any scan (Node, the SDK, the embedded database's WebAssembly heap).
  const baseRss = process.memoryUsage().rss;
  sample();
  const t = performance.now();
  let calls: Record<string, number> = {};
  let users = 0;
  let status: string | undefined;
  if (mode === 'inventory') {
    const { startRefresh, waitForRun } = await import('../lib/inventory/refresh');
    const started = await startRefresh({ actor: 'bench', trigger: 'manual' }, { accountIds: [ACCOUNT] });
    if (!started.started) throw new Error('a run is already going');
    const run = (await waitForRun(started.runId))!;
    calls = run.calls;
    users = Number(run.progress.usersSeen ?? 0);
    status = run.status;
  } else {
    const { countCalls, countedIam, listUserNames } = await import('../lib/aws/inventory-sources');
    const { hasConsoleAccess, listMfaDevices, listUserTags } = await import('../lib/aws/iam');
    countedIam(ACCOUNT);
    await countCalls(calls, async () => {
      const names = await listUserNames(ACCOUNT, { pageSize: 1000 });
      users = names.length;
      const rows: { userName: string; console: boolean; devices: number; tags: number }[] = [];
      await mapLimit(names, SCAN_CONCURRENCY, async (userName) => {
        const hasConsole = await hasConsoleAccess(ACCOUNT, userName);
        const devices = await listMfaDevices(ACCOUNT, userName);
        const tags = await listUserTags(ACCOUNT, userName);
        rows.push({ userName, console: hasConsole, devices: devices.length, tags: Object.keys(tags).length });
      });
    });
  }
  const wallMs = performance.now() - t;
  sample();
  clearInterval(sampler);
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  console.log(`RESULT ${JSON.stringify({ users, calls, total, wallMs, baseRssMb: mb(baseRss), peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap), status } satisfies ChildResult)}`);
}

export async function benchInventory({ sizes = [1000, 5000, 10000] }: { sizes?: number[] } = {}) {
  // Imported here, not at the top: the child processes must not load the stack (its IdP) into their memory.
  const { startStack } = await import('../infra/local/stack');
  const { consoleIam } = await import('../infra/local/console');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-bench-inventory-'));
  const stack = await startStack({ dataDir, portalUrl: 'http://127.0.0.1:3999', usersPerAccount: 5 });
  const results: Record<number, Record<Mode, ChildResult>> = {};
  // PostgreSQL, as a multi-instance deployment runs: the embedded PGlite alone holds ~750 MB of RSS, which
  // would hide the collection's own memory. PGlite is the fallback when no PostgreSQL binaries are installed.
  const { startTestPostgres } = await import('../scripts/test-postgres');
  const postgres = await startTestPostgres().catch(() => null);
  try {
    const iam = await consoleIam({ motoUrl: stack.motoUrl, accountId: ACCOUNT, groundTruth: stack.groundTruth });
    const seeded = stack.groundTruth.users.filter((u) => u.accountId === ACCOUNT);
    let nonVirtualMfa = seeded.filter((u) => u.devices.length > 0 && !u.devices.some((d) => d.type === 'virtual')).length;
    let count = seeded.length;
    console.log(`\nInventory (one account; ${seeded.length} seeded users + synthetic ones; scans in child processes; storage: ${postgres ? 'PostgreSQL' : 'PGlite'})`);
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const t = performance.now();
      const todo = Array.from({ length: Math.max(0, size - count) }, (_, k) => count + k);
      await mapLimit(todo, SEED_CONCURRENCY, async (i) => {
        if ((await seedUser(iam, i)).nonVirtualMfa) nonVirtualMfa++;
      });
      count = Math.max(count, size);
      console.log(`  seeded ${count} users in ${((performance.now() - t) / 1000).toFixed(1)} s`);

      const env = (mode: Mode) => ({ ...stack.env, DATABASE_URL: postgres?.url ?? `pglite:${path.join(dataDir, `pglite-${size}-${mode}`)}` });
      const ours = await runChild('inventory', env('inventory'));
      const scan = await runChild('per-user', env('per-user'));
      results[size] = { inventory: ours, 'per-user': scan };
      const budget = Math.ceil((2 * count) / 1000) + 10 + nonVirtualMfa;
      const line = (name: string, r: ChildResult) =>
        `    ${name.padEnd(10)} ${String(r.total).padStart(6)} calls  ${(r.wallMs / 1000).toFixed(2).padStart(7)} s  peak RSS ${String(r.peakRssMb).padStart(6)} MB (${String(r.baseRssMb).padStart(6)} MB before the scan)  heap ${String(r.peakHeapMb).padStart(6)} MB  ${JSON.stringify(r.calls)}${r.status ? `  (${r.status})` : ''}`;
      console.log(`  ${count} users (${nonVirtualMfa} with MFA that is not a virtual device):`);
      console.log(line('ours', ours));
      console.log(line('per-user', scan));
      console.log(
        `    ratio: ${(scan.total / ours.total).toFixed(1)}x fewer calls, ${(scan.wallMs / ours.wallMs).toFixed(1)}x less wall time` +
          `   targets: calls <= 2/1000 users + 10 + ${nonVirtualMfa} = ${budget} (${ours.total <= budget ? 'met' : 'MISSED'});` +
          ` at 5,000: >= 10x calls, >= 5x time; at 10,000: peak < 300 MB (ours ${ours.peakRssMb} MB)`,
      );
    }
    iam.destroy();
    return results;
  } finally {
    await postgres?.stop();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--inventory-child');
if (childAt >= 0) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  await child(process.argv[childAt + 1] as Mode)
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
