import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../infra/local/ports';
import { startStack } from '../infra/local/stack';
import { startTestPostgres } from '../scripts/test-postgres';

/**
 * Starts the whole local stack (moto with the seeded organisation behind the fidelity proxy, the demo
 * IdP), a PostgreSQL server and the built portal on free ports, for every spec. The portal is the container's
 * server: scripts/standalone.mjs performs the Dockerfile's runtime stage into a temporary folder and the server
 * starts from there with the Dockerfile's CMD and ENV, so every spec tests what the image runs. The portal's output
 * goes to .test-output/portal.log, which the security specs and the last project's log scan read. Requires `next build` (npm test does it).
 */
export default async function globalSetup() {
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-e2e-'));
  const port = await freePort();
  const portalUrl = `http://127.0.0.1:${port}`;
  const stack = await startStack({ repoRoot, dataDir, portalUrl });
  const pg = await startTestPostgres().catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });

  mkdirSync(path.join(repoRoot, '.test-output'), { recursive: true });
  const logFile = path.join(repoRoot, '.test-output', 'portal.log');
  const log = createWriteStream(logFile, { flags: 'w' });
  // The secrets the specs handle, for the log scan (support/seen-secrets.ts): this run's only.
  const seenSecretsFile = path.join(repoRoot, '.test-output', 'seen-secrets.jsonl');
  writeFileSync(seenSecretsFile, '');
  const tail: string[] = [];
  let portal: ChildProcess | undefined;
  let standaloneDir = '';
  try {
    const server = prepareStandalone(repoRoot, path.join(dataDir, 'standalone'));
    standaloneDir = server.dir;
    portal = spawn(process.execPath, server.cmd.slice(1), {
      cwd: server.dir,
      // The image's ENV, then the address to listen on here (server.js reads PORT and HOSTNAME; the image's 0.0.0.0
      // would listen on every interface of this machine).
      env: { ...process.env, ...stack.env, DATABASE_URL: pg.url, NEXT_TELEMETRY_DISABLED: '1', ...server.env, PORT: String(port), HOSTNAME: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      tail.push(chunk.toString());
      if (tail.length > 200) tail.shift();
      if (process.env.E2E_PORTAL_LOGS) process.stderr.write(chunk);
    };
    portal.stdout?.on('data', keep);
    portal.stderr?.on('data', keep);
    await waitForPortal(portalUrl, portal, tail);
    await collectFirstInventory(portalUrl, stack.env.MFA_CRON_SECRET!, pg.url);
  } catch (error) {
    portal?.kill('SIGKILL');
    await Promise.all([stack.stop(), pg.stop()]);
    throw error;
  }

  Object.assign(process.env, {
    E2E_PORTAL_URL: portalUrl,
    E2E_GROUND_TRUTH: stack.groundTruthFile,
    E2E_HARDWARE_TOKENS: stack.hardwareTokensFile,
    E2E_MOTO_URL: stack.motoUrl,
    E2E_AWS_ENDPOINT: stack.awsEndpoint,
    E2E_DATABASE_URL: pg.url,
    E2E_NEXTAUTH_SECRET: stack.env.NEXTAUTH_SECRET,
    E2E_CRON_SECRET: stack.env.MFA_CRON_SECRET,
    E2E_PORTAL_LOG_FILE: logFile,
    E2E_STANDALONE_DIR: standaloneDir,
    E2E_PORTAL_PID: String(portal.pid),
    // The portal's settings for this stack, for specs that start a portal process of their own (shutdown.spec.ts).
    E2E_STACK_ENV: JSON.stringify(stack.env),
    E2E_SEEN_SECRETS_FILE: seenSecretsFile,
  });

  return async () => {
    if (portal && portal.exitCode === null) {
      const exited = new Promise((r) => portal!.once('exit', r));
      portal.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (portal.exitCode === null) portal.kill('SIGKILL');
    }
    log.end();
    await Promise.all([stack.stop(), pg.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

/** Runs `scripts/standalone.mjs --skip-build` into `dir`: the folder and the command the container would run. */
function prepareStandalone(repoRoot: string, dir: string): { dir: string; env: Record<string, string>; cmd: string[] } {
  const run = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/standalone.mjs'), '--skip-build', '--json', '--out', dir], { cwd: repoRoot, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`scripts/standalone.mjs failed (exit ${run.status ?? run.signal}):\n${run.stderr}`);
  const prepared = JSON.parse(run.stdout) as { dir: string; env: Record<string, string>; cmd: string[] };
  if (prepared.cmd[0] !== 'node') throw new Error(`The Dockerfile's CMD does not start with node: ${prepared.cmd.join(' ')}`);
  return prepared;
}

async function waitForPortal(url: string, child: ChildProcess, logs: string[]) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The portal exited (${child.exitCode}) during start-up:\n${logs.join('').slice(-4000)}`);
    try {
      const res = await fetch(`${url}/signin`, { redirect: 'manual' });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The portal did not answer within 60 s:\n${logs.join('').slice(-4000)}`);
}

/**
 * An inventory run replaces the stored rows, dropping those specs insert for themselves (support/db.ts), so none may
 * start while they run: the first one is collected here, and support/inventory.ts then finds it instead of starting one.
 */
async function collectFirstInventory(url: string, cronSecret: string, databaseUrl: string) {
  const res = await fetch(`${url}/api/cron/inventory`, { method: 'POST', headers: { Authorization: `Bearer ${cronSecret}` } });
  if (res.status !== 202) throw new Error(`The first inventory did not start: HTTP ${res.status}`);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const { rows } = await db.query<{ status: string }>('SELECT status FROM inventory_runs ORDER BY started_at DESC LIMIT 1');
      if (rows[0] && rows[0].status !== 'running') {
        if (rows[0].status !== 'succeeded') throw new Error(`The first inventory ended ${rows[0].status}`);
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('The first inventory did not finish within 120 s');
  } finally {
    await db.end();
  }
}
