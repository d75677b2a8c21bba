/**
 * Inventory benchmark: our bulk collection against a straightforward per-user scan (ListUsers, then
 * GetLoginProfile, ListMFADevices and ListUserTags per user), for growing numbers of users in ONE account of a
 * throwaway local stack. Each scan runs in its own child process so its peak memory is its own.
 * Our collection runs with the demo program (infra/local/demo-program.ts; Operators = hardware or FIDO with a
 * backup) in the default mode and the exact mode (listAllDevices), and once more with Operators requiring a
 * certified security key (GetMFADevice calls). Figures are printed next to the targets, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import type { IAMClient } from '@aws-sdk/client-iam';
import { benchUser, createUserViaApi } from '../infra/local/seed-bulk';
import { printResult, runBenchChild, sampleMemory, totalCalls } from './child';

const ACCOUNT = '222222222222';
const SEED_CONCURRENCY = 16;
/** In-flight calls for the per-user scan, the same bound our collection uses for its per-user calls. */
const SCAN_CONCURRENCY = 8;

type Mode = 'default' | 'exact' | 'certified' | 'per-user';
const MODES: Mode[] = ['default', 'exact', 'certified', 'per-user'];
type ChildResult = { users: number; calls: Record<string, number>; total: number; wallMs: number; baseRssMb: number; peakRssMb: number; peakHeapMb: number; status?: string };

/** User i of the synthetic account (infra/local/seed-bulk.ts's benchUser), through the IAM API. */
export async function seedUser(iam: IAMClient, i: number, accountId = ACCOUNT): Promise<{ nonVirtualMfa: boolean; operatorWithVirtual: boolean }> {
  const user = benchUser(i, accountId);
  await createUserViaApi(iam, user);
  const virtual = user.devices.some((d) => d.type === 'virtual');
  return { nonVirtualMfa: user.devices.length > 0 && !virtual, operatorWithVirtual: virtual && user.groups.includes('operators') && user.consolePassword !== undefined };
}

const runChild = (mode: Mode, env: Record<string, string>) => runBenchChild<ChildResult>(fileURLToPath(import.meta.url), ['--inventory-child', mode], env);

/** The demo program in the child's database; `certified`: its Operators count only certified security keys. */
async function installProgram(mode: Mode): Promise<void> {
  const { getDb } = await import('../lib/db/client');
  const { programCategories, programDecisions } = await import('../lib/db/schema');
  const { demoCategories } = await import('../infra/local/demo-program');
  const db = await getDb();
  await db.delete(programDecisions);
  await db.delete(programCategories);
  const categories = demoCategories(new Date()).map((c) =>
    mode === 'certified' && c.name === 'Operators' ? { ...c, allowedDeviceTypes: ['fido' as const], requireCertifiedKey: true } : c,
  );
  await db.insert(programCategories).values(categories);
}

/** In the child: one scan, with process.memoryUsage() sampled every 50 ms. */
async function child(mode: Mode): Promise<void> {
  const memory = sampleMemory();
  const { getDatabase } = await import('../lib/db/client');
  await getDatabase();
  // The fixed cost before any scan (Node, the SDK, the embedded database's WebAssembly heap).
  const baseRssMb = memory.rssMb();
  if (mode !== 'per-user') await installProgram(mode);
  memory.sample();
  const t = performance.now();
  let calls: Record<string, number> = {};
  let users = 0;
  let status: string | undefined;
  if (mode !== 'per-user') {
    const { startRefresh, waitForRun } = await import('../lib/inventory/refresh');
    const started = await startRefresh({ actor: 'bench', trigger: 'manual' }, { accountIds: [ACCOUNT], listAllDevices: mode === 'exact' });
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
      await pLimit(SCAN_CONCURRENCY).map(names, async (userName) => {
        const hasConsole = await hasConsoleAccess(ACCOUNT, userName);
        const devices = await listMfaDevices(ACCOUNT, userName);
        const tags = await listUserTags(ACCOUNT, userName);
        rows.push({ userName, console: hasConsole, devices: devices.length, tags: Object.keys(tags).length });
      });
    });
  }
  const wallMs = performance.now() - t;
  const { peakRssMb, peakHeapMb } = await memory.stop();
  printResult({ users, calls, total: totalCalls(calls), wallMs, baseRssMb, peakRssMb, peakHeapMb, status } satisfies ChildResult);
}

export async function benchInventory({ sizes = [1000, 5000, 10000] }: { sizes?: number[] } = {}) {
  // Imported here, not at the top: the child processes must not load the stack (its IdP) into their memory.
  const { startStack } = await import('../infra/local/stack');
  const { consoleIam } = await import('../infra/local/console');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-bench-inventory-'));
  const stack = await startStack({ dataDir, portalUrl: 'http://127.0.0.1:3999', usersPerAccount: 5 });
  const results: Record<number, Partial<Record<Mode, ChildResult>>> = {};
  // PostgreSQL, as a multi-instance deployment runs: the embedded PGlite alone holds ~750 MB of RSS, which
  // would hide the collection's own memory. PGlite is the fallback when no PostgreSQL binaries are installed.
  const { startTestPostgres } = await import('../scripts/test-postgres');
  const postgres = await startTestPostgres().catch(() => null);
  try {
    const iam = await consoleIam({ motoUrl: stack.motoUrl, accountId: ACCOUNT, groundTruth: stack.groundTruth });
    const seeded = stack.groundTruth.users.filter((u) => u.accountId === ACCOUNT);
    let nonVirtualMfa = seeded.filter((u) => u.devices.length > 0 && !u.devices.some((d) => d.type === 'virtual')).length;
    // Users whose verdict under the demo program one virtual device does not settle (Operators with console + virtual).
    let operatorsWithVirtual = seeded.filter((u) => u.consoleAccess && u.groups.includes('operators') && u.devices.some((d) => d.type === 'virtual')).length;
    let count = seeded.length;
    console.log(`\nInventory (one account; ${seeded.length} seeded users + synthetic ones; scans in child processes; storage: ${postgres ? 'PostgreSQL' : 'PGlite'})`);
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const t = performance.now();
      const todo = Array.from({ length: Math.max(0, size - count) }, (_, k) => count + k);
      await pLimit(SEED_CONCURRENCY).map(todo, async (i) => {
        const seededUser = await seedUser(iam, i);
        if (seededUser.nonVirtualMfa) nonVirtualMfa++;
        if (seededUser.operatorWithVirtual) operatorsWithVirtual++;
      });
      count = Math.max(count, size);
      console.log(`  seeded ${count} users in ${((performance.now() - t) / 1000).toFixed(1)} s`);

      const env = (mode: Mode) => ({ ...stack.env, DATABASE_URL: postgres?.url ?? `pglite:${path.join(dataDir, `pglite-${size}-${mode}`)}` });
      const runs: Partial<Record<Mode, ChildResult>> = {};
      for (const mode of MODES) runs[mode] = await runChild(mode, env(mode));
      results[size] = runs;
      const ours = runs.default!;
      const scan = runs['per-user']!;
      const budget = Math.ceil((2 * count) / 1000) + 10 + nonVirtualMfa + operatorsWithVirtual;
      const line = (name: string, r: ChildResult) =>
        `    ${name.padEnd(10)} ${String(r.total).padStart(6)} calls  ${(r.wallMs / 1000).toFixed(2).padStart(7)} s  peak RSS ${String(r.peakRssMb).padStart(6)} MB (${String(r.baseRssMb).padStart(6)} MB before the scan)  heap ${String(r.peakHeapMb).padStart(6)} MB  ${JSON.stringify(r.calls)}${r.status ? `  (${r.status})` : ''}`;
      console.log(`  ${count} users (${nonVirtualMfa} with MFA that is not a virtual device; ${operatorsWithVirtual} Operators with console + a virtual device), demo program:`);
      console.log(line('default', ours));
      console.log(line('exact', runs.exact!));
      console.log(line('certified', runs.certified!));
      console.log(line('per-user', scan));
      console.log(
        `    ratio: ${(scan.total / ours.total).toFixed(1)}x fewer calls, ${(scan.wallMs / ours.wallMs).toFixed(1)}x less wall time` +
          `; exact mode ${runs.exact!.total} calls (${(runs.exact!.wallMs / ours.wallMs).toFixed(1)}x the default's time)` +
          `   targets: calls <= 2/1000 users + 10 + ${nonVirtualMfa} + ${operatorsWithVirtual} = ${budget} (${ours.total <= budget ? 'met' : 'MISSED'});` +
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
  await child(process.argv[childAt + 1] as Mode)
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
