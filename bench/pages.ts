/**
 * Page benchmark: the admin dashboard and users table rendered server-side by the built portal over
 * real HTTP, with an inventory of N users stored. Median time to the full response. Figures are printed,
 * never asserted. Needs `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'next-auth/jwt';
import { median, ms, percentile } from './stats';
import { seedUser } from './inventory';

const ACCOUNT = '222222222222';
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export async function benchPages({ users = 10_000, runs = 30 }: { users?: number; runs?: number } = {}) {
  if (!existsSync(path.join(repoRoot, '.next', 'BUILD_ID'))) throw new Error('Run `npm run build` before the pages benchmark.');
  const { startStack } = await import('../infra/local/stack');
  const { consoleIam } = await import('../infra/local/console');
  const { freePort } = await import('../infra/local/ports');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-bench-pages-'));
  const port = await freePort();
  const portalUrl = `http://127.0.0.1:${port}`;
  const stack = await startStack({ dataDir, portalUrl, usersPerAccount: 5 });
  let portal: ReturnType<typeof spawn> | undefined;
  try {
    const t0 = performance.now();
    const iam = await consoleIam({ motoUrl: stack.motoUrl, accountId: ACCOUNT, groundTruth: stack.groundTruth });
    await mapLimit(Array.from({ length: users }, (_, i) => i), 16, (i) => seedUser(iam, i));
    iam.destroy();
    console.log(`\nPages (${users} extra users seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);

    const databaseUrl = `pglite:${path.join(dataDir, 'pglite')}`;
    Object.assign(process.env, stack.env, { DATABASE_URL: databaseUrl });
    const { startRefresh, waitForRun } = await import('../lib/inventory/refresh');
    const { getDatabase } = await import('../lib/db/client');
    const started = await startRefresh({ actor: 'bench', trigger: 'manual' });
    if (!started.started) throw new Error('a refresh was already running');
    const run = await waitForRun(started.runId);
    console.log(`  inventory run: ${run?.status}`);
    // PGlite: one process per data directory, so hand it over to the portal.
    await (await getDatabase()).close();

    portal = spawn(path.join(repoRoot, 'node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
      cwd: repoRoot,
      env: { ...process.env, ...stack.env, DATABASE_URL: databaseUrl, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: 'ignore',
    });
    for (let i = 0; i < 240; i++) {
      if (await fetch(`${portalUrl}/signin`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 250));
    }

    const carol = stack.groundTruth.users.find((u) => u.userName === 'carol')!;
    const identity = { id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', method: 'oidc', roles: ['member', 'admin'], principals: [{ accountId: carol.accountId, userName: 'carol', arn: carol.arn }] };
    const token = await encode({ token: { portal: identity, authTime: Math.floor(Date.now() / 1000) }, secret: stack.env.NEXTAUTH_SECRET! });
    const headers = { cookie: `next-auth.session-token=${token}` };

    const pages: [string, string][] = [
      ['dashboard', '/admin'],
      ['users, page 1', '/admin/users'],
      ['users, page 40', '/admin/users?page=40'],
      ['users, search', '/admin/users?q=bench.user-77'],
      ['users, gaps', '/admin/users?mfa=gap&sort=lastUsed'],
    ];
    for (const [name, url] of pages) {
      const times: number[] = [];
      for (let i = 0; i < runs + 3; i++) {
        const t = performance.now();
        const res = await fetch(`${portalUrl}${url}`, { headers, redirect: 'manual' });
        const body = await res.text();
        if (res.status !== 200 || body.length < 1000) throw new Error(`${url}: HTTP ${res.status}`);
        if (i >= 3) times.push(performance.now() - t);
      }
      console.log(`  ${name.padEnd(16)} median ${ms(median(times)).padStart(9)}  p90 ${ms(percentile(times, 90)).padStart(9)}   (${runs} requests after 3 warm-up; target: median < 300 ms)`);
    }
  } finally {
    portal?.kill('SIGTERM');
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
