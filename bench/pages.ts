/**
 * Page benchmark: the admin dashboard and users table rendered server-side by the built portal over
 * real HTTP, with an inventory of N users stored. Median time to the full response. Figures are printed,
 * never asserted. Needs `npm run build` first.
 * On PostgreSQL (the default; TEST_DATABASE_URL or a throwaway cluster, scripts/test-postgres.ts) the N users are
 * written as inventory rows (bench/pages-rows.ts: 100,000 would take hours to seed through moto) after one real
 * inventory run; on PGlite (BENCH_PAGES_DB=pglite) they are seeded into moto and collected.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { encode } from 'next-auth/jwt';
import { median, ms, percentile } from './stats';
import { seedUser } from './inventory';
import type { Db } from '../lib/db/client';

const ACCOUNT = '222222222222';
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

async function startPortal(port: number, portalUrl: string, env: Record<string, string | undefined>) {
  const child = spawn(path.join(repoRoot, 'node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: repoRoot,
    env: { ...process.env, ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the portal exited (${child.exitCode}):\n${output}`);
    if (await fetch(`${portalUrl}/signin`).then((r) => r.ok, () => false)) return child;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`the portal did not answer within 60 s:\n${output}`);
}

/** Stops the portal and waits for it, so that the next process can open the PGlite directory. */
async function stopPortal(child: ReturnType<typeof spawn>) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** A program over the bench users (tag Team=team-0…6): every selector kind, exceptions, out of scope. */
async function seedProgram(db: Db, users: number): Promise<{ categories: number; decisions: number; firstCategoryId: number }> {
  const { programCategories, programDecisions } = await import('../lib/db/schema');
  const day = 24 * 3600_000;
  const base = { selectorKey: null, defaultDecision: 'required' as const, allowedDeviceTypes: ['virtual', 'hardware', 'fido'] as ('virtual' | 'hardware' | 'fido')[], minDevices: 1, updatedBy: 'bench' };
  const rows = [
    { ...base, name: 'Team 0 admins', selectorKind: 'tag' as const, selectorKey: 'Team', selectorValue: 'team-0', allowedDeviceTypes: ['hardware' as const, 'fido' as const], minDevices: 2, cohort: 'team-0', deadline: new Date(Date.now() + 30 * day) },
    { ...base, name: 'Team 1 contractors', selectorKind: 'tag' as const, selectorKey: 'Team', selectorValue: 'team-1', defaultDecision: 'exception' as const, reason: 'bench', approver: 'bench', expiresAt: new Date(Date.now() + 60 * day), cohort: 'team-1', deadline: new Date(Date.now() + 90 * day) },
    { ...base, name: 'Team 2', selectorKind: 'tag' as const, selectorKey: 'Team', selectorValue: 'team-2', allowedDeviceTypes: ['virtual' as const], cohort: 'team-2', deadline: new Date(Date.now() - 5 * day) },
    { ...base, name: 'Admins group', selectorKind: 'group' as const, selectorValue: 'admins', allowedDeviceTypes: ['hardware' as const, 'fido' as const], cohort: 'admins', deadline: new Date(Date.now() + 14 * day) },
    { ...base, name: 'Service path', selectorKind: 'path' as const, selectorValue: '/service/', defaultDecision: 'out-of-scope' as const, reason: 'bench', cohort: 'service', deadline: new Date(Date.now() + 14 * day) },
    { ...base, name: 'Bench account', selectorKind: 'account' as const, selectorValue: ACCOUNT, cohort: 'bench', deadline: new Date(Date.now() + 45 * day) },
  ];
  const inserted = await db.insert(programCategories).values(rows.map((r, i) => ({ ...r, position: i + 1 }))).returning({ id: programCategories.id });
  const decisions = Array.from({ length: users }, (_, i) => i)
    .filter((i) => i % 10 === 3)
    .map((i) => {
      const userName = i % 10 === 0 ? `svc-bench-${i}` : `bench.user-${i}`;
      const kind = i % 30 === 3 ? { decision: 'out-of-scope' as const, reason: 'bench' } : { decision: 'exception' as const, reason: 'bench', approver: 'bench', expiresAt: new Date(Date.now() + (i % 20 === 3 ? -1 : 1) * 10 * day) };
      return { accountId: ACCOUNT, userName, decidedBy: 'bench', ...kind };
    });
  for (let i = 0; i < decisions.length; i += 500) await db.insert(programDecisions).values(decisions.slice(i, i + 500));
  return { categories: rows.length, decisions: decisions.length, firstCategoryId: inserted[0]!.id };
}

/**
 * After a bulk write, what autovacuum does within a minute or two: plans from current statistics, no dead rows (the
 * program's write re-resolves every user's stored facts). The pages are measured in that steady state.
 */
async function settle(db: Db) {
  const { sql } = await import('drizzle-orm');
  await db.execute(sql`VACUUM (ANALYZE) inventory_users, program_user_facts, program_decisions, program_categories`);
}

export async function benchPages({ users = 10_000, runs = 30, database = 'postgres' }: { users?: number; runs?: number; database?: 'postgres' | 'pglite' } = {}) {
  if (!existsSync(path.join(repoRoot, '.next', 'BUILD_ID'))) throw new Error('Run `npm run build` before the pages benchmark.');
  const { startStack } = await import('../infra/local/stack');
  const { consoleIam } = await import('../infra/local/console');
  const { freePort } = await import('../infra/local/ports');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-bench-pages-'));
  const port = await freePort();
  const portalUrl = `http://127.0.0.1:${port}`;
  const stack = await startStack({ dataDir, portalUrl, usersPerAccount: 5 });
  const { startTestPostgres } = await import('../scripts/test-postgres');
  const postgres = database === 'postgres' ? await startTestPostgres() : null;
  let portal: ReturnType<typeof spawn> | undefined;
  try {
    const t0 = performance.now();
    if (!postgres) {
      const iam = await consoleIam({ motoUrl: stack.motoUrl, accountId: ACCOUNT, groundTruth: stack.groundTruth });
      await pLimit(16).map(Array.from({ length: users }, (_, i) => i), (i) => seedUser(iam, i));
      iam.destroy();
    }

    const databaseUrl = postgres?.url ?? `pglite:${path.join(dataDir, 'pglite')}`;
    Object.assign(process.env, stack.env, { DATABASE_URL: databaseUrl });
    const { startRefresh, waitForRun } = await import('../lib/inventory/refresh');
    const { getDatabase } = await import('../lib/db/client');
    const started = await startRefresh({ actor: 'bench', trigger: 'manual' });
    if (!started.started) throw new Error('a refresh was already running');
    const run = await waitForRun(started.runId);
    if (postgres) {
      await (await import('./pages-rows')).insertSyntheticUsers((await getDatabase()).db, ACCOUNT, started.runId, users);
      await settle((await getDatabase()).db);
    }
    const how = postgres ? 'written as inventory rows' : 'seeded into moto and collected';
    console.log(`\nPages on ${postgres ? 'PostgreSQL' : 'PGlite'} (${users} extra users ${how} in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    console.log(`  inventory run: ${run?.status}`);
    // The cookie names a server-side session row: open one for carol before the database is handed over.
    const carol = stack.groundTruth.users.find((u) => u.userName === 'carol')!;
    const identity = { id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', method: 'oidc' as const, roles: ['member' as const, 'admin' as const], principals: [{ accountId: carol.accountId, userName: 'carol', arn: carol.arn }] };
    const { startSession } = await import('../lib/auth/sessions');
    const session = await startSession((await getDatabase()).db, identity);
    const token = await encode({ token: { sid: session.id, authTime: Math.floor(Date.now() / 1000) }, secret: stack.env.NEXTAUTH_SECRET! });
    // PGlite: one process per data directory, so hand it over to the portal.
    await (await getDatabase()).close();
    const holder = globalThis as unknown as { __mfaPortalDb?: unknown };
    const headers = { cookie: `next-auth.session-token=${token}` };

    const measure = async (title: string, pages: [string, string][]) => {
      portal = await startPortal(port, portalUrl, { ...stack.env, DATABASE_URL: databaseUrl });
      // The machine may be shared: the load says how much of it the figures had.
      console.log(`  ${title} (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
      try {
        for (const [name, url] of pages) {
          const times: number[] = [];
          for (let i = 0; i < runs + 3; i++) {
            const t = performance.now();
            const res = await fetch(`${portalUrl}${url}`, { headers, redirect: 'manual' });
            const body = await res.text();
            if (res.status !== 200 || body.length < 1000) throw new Error(`${url}: HTTP ${res.status}`);
            if (i >= 3) times.push(performance.now() - t);
          }
          console.log(`    ${name.padEnd(18)} median ${ms(median(times)).padStart(9)}  p90 ${ms(percentile(times, 90)).padStart(9)}   (${runs} requests after 3 warm-up; target: median < 300 ms)`);
        }
      } finally {
        await stopPortal(portal);
        portal = undefined;
      }
    };

    const pages: [string, string][] = [
      ['dashboard', '/admin'],
      ['users, page 1', '/admin/users'],
      ['users, page 40', '/admin/users?page=40'],
      ['users, search', '/admin/users?q=bench.user-77'],
      ['users, gaps', '/admin/users?mfa=gap&sort=lastUsed'],
    ];
    await measure('empty program (every console user in scope):', pages);

    // The same inventory with a program: categories of every selector kind (the view resolves them per user) and
    // per-user decisions on about one user in ten.
    holder.__mfaPortalDb = undefined;
    const { categories, decisions, firstCategoryId } = await seedProgram((await getDatabase()).db, users);
    if (postgres) await settle((await getDatabase()).db);
    await (await getDatabase()).close();
    await measure(`with a program (${categories} categories, ${decisions} decisions):`, [
      ...pages,
      ['users, category', `/admin/users?category=${firstCategoryId}`],
      ['users, exceptions', '/admin/users?decision=exception'],
    ]);
  } finally {
    if (portal) await stopPortal(portal);
    await postgres?.stop();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
