/**
 * Inventory at organisation scale: many accounts, collected by the pool (MFA_INVENTORY_CONCURRENCY accounts at
 * once, one IAM call at a time per account), with every AWS request delayed by the fidelity proxy
 * (BENCH_LATENCY_MS, default DEFAULT_LATENCY_MS) to model AWS's round trip. Shapes (BENCH_SCALE_SHAPES, default
 * "100x100,10x10000"): accounts x users, the larger shapes reusing the first accounts of the smaller ones.
 * Each collection runs in its own child process (its peak RSS is its own) against PostgreSQL. The users are
 * infra/local/seed-bulk.ts's benchUser, created through moto_fidelity.py's bulk endpoint (100,000 in seconds, not the
 * quarter of an hour and more the IAM API takes). Besides the added latency (moto's time on top), a warm run with
 * the latency as a floor (each request answered no sooner than BENCH_LATENCY_MS after it arrived, moto's time
 * inside it, as AWS's round trip is) shows what the model calls x latency / pool means on AWS, and is the run the
 * wall-time target is judged on. BENCH_SCALE_RUNS (default "warm,floor,bare") picks the warm runs after the cold one.
 * The defaults (400 ms, pool 10: 25 requests a second) keep the demand well under what moto serves on 2 cores, so
 * the wall time measures the portal's scheduling, not the stand-in's queue (see DEFAULT_LATENCY_MS).
 * One shape, e.g.: BENCH_SCALE_SHAPES=10x10000 BENCH_SCALE_RUNS=floor npm run bench inventory-scale
 * The per-user scan (ListUsers, then GetLoginProfile, ListMFADevices and ListUserTags per user) would take hours at
 * 100 ms: its calls follow from its algorithm and its wall time is calls x latency / pool; BENCH_SCALE_PER_USER=1
 * also runs it (same pool, one call at a time per account) without the latency, for its calls and memory.
 * Figures are printed next to the targets, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { Traffic } from '../infra/local/proxy';
import { printResult, runBenchChild, sampleMemory, totalCalls } from './child';
import { benchUser } from '../infra/local/seed-bulk';
import { imageRuntime } from './runtime';

type Mode = 'ours' | 'per-user';
type Shape = { accounts: number; users: number };
type ChildResult = {
  users: number; calls: Record<string, number>; total: number; wallMs: number; cpuMs: number; baseRssMb: number; peakRssMb: number; peakHeapMb: number;
  heapTotalAtPeakMb: number; externalAtPeakMb: number; mallocedAtPeakMb: number; peakMallocedMb: number; markCompacts: number; maxLiveMb: number; status?: string; failed?: number;
};
/** A run with the AWS traffic the proxy answered during it (STS included). */
type Measured = ChildResult & { aws: Traffic };

const accountId = (k: number) => String(300_000_000_000 + k);

/**
 * The defaults model AWS without making the local stand-in the bottleneck: moto (one Python process) answers ~40
 * light requests a second on 2 cores, and the pool asks for pool / latency a second (10 / 0.4 s = 25). At 100 ms
 * and pool 10 (100 a second) moto queued them, and the wall time measured moto, not the portal's scheduling.
 */
export const DEFAULT_LATENCY_MS = 400;
export const DEFAULT_POOL = 10;

/** The warm runs after the cold one: latency added to moto's time, latency as a floor, no latency. */
type WarmRun = 'warm' | 'floor' | 'bare';
export function parseRuns(value: string): Set<WarmRun> {
  const runs = value.split(',').map((r) => r.trim()).filter(Boolean);
  for (const r of runs) if (r !== 'warm' && r !== 'floor' && r !== 'bare') throw new Error(`BENCH_SCALE_RUNS: "${r}" is not warm, floor or bare`);
  return new Set(runs as WarmRun[]);
}

export function parseShapes(value: string): Shape[] {
  return value.split(',').map((part) => {
    const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(part);
    if (!m) throw new Error(`BENCH_SCALE_SHAPES: "${part}" is not accounts x users, e.g. 100x100`);
    return { accounts: Number(m[1]), users: Number(m[2]) };
  });
}

const runChild = (mode: Mode, accounts: string[], pool: number, env: Record<string, string>, nodeFlags: string[] = []) =>
  runBenchChild<ChildResult>(fileURLToPath(import.meta.url), ['--scale-child', mode, accounts.join(','), String(pool)], env, nodeFlags);

/**
 * BENCH_SCALE_VARIANTS: node flag sets (`;` between sets, spaces within one) for the warm floor run, e.g.
 * `--trace-gc;--trace-gc --max-semi-space-size=8`, each run in turn, BENCH_SCALE_ROUNDS times (interleaved, so that
 * the machine's load falls on each alike). Unset: one run with no extra flag.
 */
export function parseVariants(value: string | undefined): string[][] {
  if (value === undefined) return [[]];
  return value.split(';').map((set) => set.trim().split(/\s+/).filter(Boolean));
}

/** In the child: one collection of `accounts`, with process.memoryUsage().rss sampled every 50 ms. */
async function child(mode: Mode, accounts: string[], pool: number): Promise<void> {
  const memory = sampleMemory();
  const { getDatabase } = await import('../lib/db/client');
  await getDatabase();
  const baseRssMb = memory.rssMb();
  const t = performance.now();
  const cpu = process.cpuUsage();
  let calls: Record<string, number> = {};
  let users = 0;
  let status: string | undefined;
  let failed: number | undefined;
  if (mode === 'ours') {
    const { startRefresh, waitForRun } = await import('../lib/inventory/refresh');
    const started = await startRefresh({ actor: 'bench', trigger: 'manual' }, { accountIds: accounts, accountConcurrency: pool });
    if (!started.started) throw new Error('a run is already going');
    const run = (await waitForRun(started.runId))!;
    calls = run.calls;
    users = Number(run.progress.usersSeen ?? 0);
    status = run.status;
    failed = run.accounts.filter((a) => a.error).length;
  } else {
    const { countCalls, countedIam, listUserNames } = await import('../lib/aws/inventory-sources');
    const { hasConsoleAccess, listMfaDevices, listUserTags } = await import('../lib/aws/iam');
    const rows: { userName: string; console: boolean; devices: number; tags: number }[] = [];
    await countCalls(calls, () =>
      pLimit(pool).map(accounts, async (id) => {
        countedIam(id);
        const names = await listUserNames(id, { pageSize: 1000 });
        users += names.length;
        for (const userName of names) {
          const hasConsole = await hasConsoleAccess(id, userName);
          const devices = await listMfaDevices(id, userName);
          const tags = await listUserTags(id, userName);
          rows.push({ userName, console: hasConsole, devices: devices.length, tags: Object.keys(tags).length });
        }
      }),
    );
  }
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const peaks = await memory.stop();
  printResult({ users, calls, total: totalCalls(calls), wallMs, cpuMs: (used.user + used.system) / 1000, baseRssMb, ...peaks, status, failed } satisfies ChildResult);
}

export async function benchInventoryScale({
  shapes = parseShapes(process.env.BENCH_SCALE_SHAPES ?? '100x100,10x10000'),
  latencyMs = Number(process.env.BENCH_LATENCY_MS ?? DEFAULT_LATENCY_MS),
  pool = Number(process.env.BENCH_POOL ?? DEFAULT_POOL),
  runs = parseRuns(process.env.BENCH_SCALE_RUNS ?? 'warm,floor,bare'),
  runScan = process.env.BENCH_SCALE_PER_USER === '1',
}: { shapes?: Shape[]; latencyMs?: number; pool?: number; runScan?: boolean; runs?: Set<WarmRun> } = {}) {
  const { startStack } = await import('../infra/local/stack');
  const { setUpExtraAccount } = await import('../infra/local/seed');
  const { bulkCreateUsers } = await import('../infra/local/seed-bulk');
  const { setMotoAuth } = await import('../infra/local/moto');
  const { startTestPostgres } = await import('../scripts/test-postgres');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-bench-scale-'));
  const stack = await startStack({ dataDir, portalUrl: 'http://127.0.0.1:3999', usersPerAccount: 5 });
  const postgres = await startTestPostgres();
  const clients = new Map<string, IAMClient>();
  const seeded = new Map<string, number>();
  const results: { shape: Shape; ours: Measured | null; floored: Measured | null; perUser: ChildResult | null }[] = [];
  const variants = parseVariants(process.env.BENCH_SCALE_VARIANTS);
  const rounds = Number(process.env.BENCH_SCALE_ROUNDS ?? 1);
  const measured = async (mode: Mode, accounts: string[], env: Record<string, string>, nodeFlags: string[] = []): Promise<Measured> => {
    const before = stack.proxy.traffic();
    const r = await runChild(mode, accounts, pool, env, nodeFlags);
    const after = stack.proxy.traffic();
    return { ...r, aws: { requests: after.requests - before.requests, totalMs: after.totalMs - before.totalMs, upstreamMs: after.upstreamMs - before.upstreamMs } };
  };
  try {
    const target = { endpoint: stack.motoUrl, region: stack.env.AWS_REGION ?? 'us-east-1' };
    const maxAccounts = Math.max(...shapes.map((s) => s.accounts));
    const ids = Array.from({ length: maxAccounts }, (_, k) => accountId(k + 1));
    // The stack's own accounts stay managed (its role-group settings name them); the bench reads only its own.
    // The children run as the container image runs the portal (bench/runtime.ts); BENCH_RUNTIME=node-defaults: as
    // Node runs on this machine without them (its heap sized from all of the machine's memory).
    const runtime = process.env.BENCH_RUNTIME === 'node-defaults' ? { env: {}, description: "Node's defaults on this machine" } : imageRuntime();
    const env = { ...stack.env, DATABASE_URL: postgres.url, MFA_ACCOUNTS: `${stack.env.MFA_ACCOUNTS},${ids.join(',')}`, ...runtime.env } as Record<string, string>;
    console.log(
      `\nInventory at scale (latency ${latencyMs} ms per AWS request, pool ${pool} accounts, one call at a time per account; ` +
        `bulk pages of ${process.env.MFA_INVENTORY_PAGE_SIZE ?? 'the default size'}; drizzle-orm loaded as ${process.env.BENCH_DRIZZLE === 'esm' ? 'ES modules' : 'CommonJS, as in the server bundle'}; storage: PostgreSQL)\n` +
        `  process settings: ${runtime.description}`,
    );
    for (const shape of shapes) {
      const t = performance.now();
      const accounts = ids.slice(0, shape.accounts);
      // Accounts a smaller shape already read have a credential report under 4 hours old: the first run is not cold.
      const firstRun = accounts.some((id) => clients.has(id)) ? 'first' : 'cold';
      // Seeding as the demo seed does: moto's auth off (any key reaches any account), on again for the portal.
      await setMotoAuth(stack.motoUrl, false);
      for (const id of accounts) if (!clients.has(id)) clients.set(id, await setUpExtraAccount(target, id, `bench-${id}`));
      // The population is benchUser's, created straight in moto's IAM backend (moto_fidelity.py's bulk endpoint):
      // through the IAM API, 100,000 users take well over 15 minutes to seed.
      let created = 0;
      for (const id of accounts) {
        const from = seeded.get(id) ?? 0;
        const users = Array.from({ length: Math.max(0, shape.users - from) }, (_, k) => benchUser(from + k, id));
        await bulkCreateUsers(stack.motoUrl, id, users);
        created += users.length;
        seeded.set(id, Math.max(from, shape.users));
      }
      await setMotoAuth(stack.motoUrl, true);
      console.log(`  ${shape.accounts} accounts x ${shape.users} users: seeded ${created} users in ${((performance.now() - t) / 1000).toFixed(0)} s`);

      // Cold: no credential report yet, so each account generates one (and waits for it). Warm: the next run, as a
      // scheduled refresh within 4 hours finds them: the reports are reused.
      stack.proxy.setLatency(latencyMs);
      const cold = await measured('ours', accounts, env, variants[0]);
      const ours = runs.has('warm') ? await measured('ours', accounts, env) : null;
      // The latency as a floor: each request answered no sooner than latencyMs after it arrived, moto's own time
      // included, as AWS answers in ~latencyMs in all; the model (calls x latency / pool) is then what AWS would give.
      stack.proxy.setLatency(latencyMs, 'floor');
      const floorRuns: { flags: string[]; r: Measured; load: number }[] = [];
      if (runs.has('floor'))
        for (let round = 0; round < rounds; round++)
          for (const flags of variants) {
            // A variant that fails (a heap limit too low ends the child) is reported, not the end of the bench.
            const r = await measured('ours', accounts, env, flags).catch((error: unknown) => console.log(`    node flags ${flags.join(' ')}: ${String(error).slice(0, 300)}`));
            if (r) floorRuns.push({ flags, r, load: loadavg()[0]! });
            if (r) console.log(`    (floor run, node flags ${flags.join(' ') || '(none)'}: wall ${(r.wallMs / 1000).toFixed(1)} s, CPU ${(r.cpuMs / 1000).toFixed(1)} s, peak RSS ${r.peakRssMb} MB, heap used at most ${r.peakHeapMb} MB, after a full GC ${r.maxLiveMb} MB, ${r.markCompacts} full GCs; load ${loadavg()[0]!.toFixed(1)})`);
          }
      const floored = floorRuns[0]?.r ?? null;
      stack.proxy.setLatency(0);
      // The same warm run without the latency: what the local stand-in (moto, one Python process) and the database
      // cost by themselves, which the latency model leaves out.
      const bare = runs.has('bare') ? await measured('ours', accounts, env) : null;
      const perUser = runScan ? await runChild('per-user', accounts, pool, env) : null;
      results.push({ shape, ours, floored, perUser });

      // AssumeRole (one per account) is not in the run's counts but waits for the latency too; with fewer accounts
      // than the pool, only as many calls are in flight as there are accounts.
      const inFlight = Math.min(pool, shape.accounts);
      const modelled = (r: ChildResult) => ((r.total + shape.accounts) * latencyMs) / inFlight;
      // What the run would take if the portal kept `inFlight` requests outstanding from its first to its last moment,
      // with each request as long as it really was (latency + moto's own time): the gap to the wall time is the
      // portal's (database writes, program loads, the last accounts finishing alone), the rest is the stand-in's.
      const busyModel = (r: Measured) => r.aws.totalMs / inFlight;
      const ratio = (r: ChildResult) => r.wallMs / modelled(r);
      const line = (name: string, r: Measured) =>
        `    ${name.padEnd(11)} ${String(r.total).padStart(7)} calls  wall ${(r.wallMs / 1000).toFixed(1).padStart(6)} s, model ${(modelled(r) / 1000).toFixed(1)} s, ratio ${ratio(r).toFixed(2)}; portal CPU ${(r.cpuMs / 1000).toFixed(1)} s  peak RSS ${String(r.peakRssMb).padStart(6)} MB (${String(r.baseRssMb).padStart(6)} MB before, heap used at most ${r.peakHeapMb} MB; at the peak V8 heap ${r.heapTotalAtPeakMb} MB, external ${r.externalAtPeakMb} MB, V8 malloc ${r.mallocedAtPeakMb} MB (at most ${r.peakMallocedMb}); ${r.markCompacts} mark-compacts, at most ${r.maxLiveMb} MB used after one)  ${r.status ?? ''}${r.failed ? ` ${r.failed} accounts failed` : ''}  ${JSON.stringify(r.calls)}\n` +
        `                AWS requests ${r.aws.requests} (STS included), ${(r.aws.upstreamMs / Math.max(1, r.aws.requests)).toFixed(0)} ms each in moto; ${(r.aws.totalMs / r.wallMs).toFixed(1)} of ${inFlight} in flight on average; measured-time model ${(busyModel(r) / 1000).toFixed(1)} s`;
      // The machine may be shared: the load says how much of it the figures had.
      console.log(`    (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores after the runs)`);
      console.log(line(firstRun, cold));
      if (ours) console.log(line('warm', ours));
      for (const { flags, r, load } of floorRuns) console.log(line('warm, floor', r) + `\n                node flags: ${flags.join(' ') || '(none)'}; load average ${load.toFixed(1)} after it`);
      if (bare) console.log(line('warm, 0 ms', bare));
      // The per-user scan's calls follow from its algorithm: ListUsers pages, then three calls per user.
      const scanCalls = perUser?.total ?? shape.accounts * (Math.ceil(shape.users / 1000) + 3 * shape.users);
      const scanWall = ((scanCalls + shape.accounts) * latencyMs) / inFlight;
      console.log(
        `    per-user    ${String(scanCalls).padStart(7)} calls  ${(scanWall / 1000).toFixed(1).padStart(7)} s at ${latencyMs} ms (calls x latency / pool)` +
          (perUser ? `  peak RSS ${perUser.peakRssMb} MB, measured ${(perUser.wallMs / 1000).toFixed(1)} s without latency` : '  (counted from its algorithm; BENCH_SCALE_PER_USER=1 runs it without latency)'),
      );
      // The wall-time target is judged on the floor run (AWS's round trip, moto's time inside it), else the added one.
      const judged = floored ?? ours ?? cold;
      const judgedName = floored ? 'warm, floor' : ours ? 'warm' : firstRun;
      const deviation = (ratio(judged) - 1) * 100;
      const measuredRuns = [cold, ours, ...floorRuns.map((f) => f.r), bare].filter((r): r is Measured => r !== null);
      const peak = Math.max(...measuredRuns.map((r) => r.peakRssMb));
      // The child's RSS before collecting (Node, the SDK, drizzle, the database pool) is not the collection's own.
      const aboveBase = Math.max(...measuredRuns.map((r) => r.peakRssMb - r.baseRssMb));
      console.log(
        `    targets (${judgedName}): wall ${(judged.wallMs / 1000).toFixed(1)} s within 15% of (calls + ${shape.accounts} AssumeRole) x ${latencyMs} ms / ${inFlight} = ${(modelled(judged) / 1000).toFixed(1)} s: ` +
          `ratio ${ratio(judged).toFixed(2)}, ${deviation >= 0 ? '+' : ''}${deviation.toFixed(1)}% (${Math.abs(deviation) <= 15 ? 'met' : 'MISSED'}); peak RSS < 300 MB: ${peak} MB (${peak < 300 ? 'met' : 'MISSED'}), ${aboveBase.toFixed(0)} MB above the child's RSS before collecting; ` +
          `${(scanCalls / judged.total).toFixed(1)}x fewer calls than the per-user scan`,
      );
      console.log(
        `    demand ${(inFlight / (latencyMs / 1000)).toFixed(0)} requests/s (pool / latency), against moto's ~40/s on 2 cores: ${inFlight / (latencyMs / 1000) <= 25 ? 'the stand-in keeps up' : 'the stand-in may queue them (raise BENCH_LATENCY_MS)'}`,
      );
      if (ours) {
        const portalShare = ((ours.wallMs - busyModel(ours)) / busyModel(ours)) * 100;
        console.log(
          `    warm with each request's measured time (${latencyMs} ms + moto's ${(ours.aws.upstreamMs / Math.max(1, ours.aws.requests)).toFixed(0)} ms): ${(busyModel(ours) / 1000).toFixed(1)} s; ` +
            `the portal adds ${portalShare >= 0 ? '+' : ''}${portalShare.toFixed(1)}% (${Math.abs(portalShare) <= 15 ? 'within' : 'NOT within'} 15%)`,
        );
      }
    }
    return results;
  } finally {
    stack.proxy.setLatency(0);
    for (const c of clients.values()) c.destroy();
    await postgres.stop();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--scale-child');
if (childAt >= 0) {
  await child(process.argv[childAt + 1] as Mode, process.argv[childAt + 2]!.split(','), Number(process.argv[childAt + 3]))
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
