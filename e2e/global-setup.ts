import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, writeFileSync } from 'node:fs';
import { freePort } from '../infra/local/ports';
import { startStack } from '../infra/local/stack';

/**
 * Starts the whole local stack (moto with the seeded organisation, the demo IdP) and the built
 * portal on free ports, for every spec. Requires `next build` to have run (npm test does it).
 */
export default async function globalSetup() {
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-e2e-'));
  const port = await freePort();
  const portalUrl = `http://127.0.0.1:${port}`;
  const stack = await startStack({ repoRoot, dataDir, portalUrl });

  let portal: ChildProcess | undefined;
  const logs: string[] = [];
  try {
    portal = spawn(path.join(repoRoot, 'node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
      cwd: repoRoot,
      env: { ...process.env, ...stack.env, DATABASE_URL: `pglite:${path.join(dataDir, 'pglite')}`, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      logs.push(chunk.toString());
      if (process.env.E2E_PORTAL_LOGS) process.stderr.write(chunk);
    };
    portal.stdout?.on('data', keep);
    portal.stderr?.on('data', keep);
    await waitForPortal(portalUrl, portal, logs);
  } catch (error) {
    portal?.kill('SIGKILL');
    await stack.stop();
    throw error;
  }

  process.env.E2E_PORTAL_URL = portalUrl;
  process.env.E2E_GROUND_TRUTH = stack.groundTruthFile;
  process.env.E2E_DATA_DIR = dataDir;
  process.env.E2E_AWS_ENDPOINT = stack.awsEndpoint;
  process.env.E2E_PORTAL_LOG_FILE = path.join(dataDir, 'portal.log');

  return async () => {
    mkdirSync(path.join(repoRoot, '.test-output'), { recursive: true });
    writeFileSync(path.join(repoRoot, '.test-output', 'portal.log'), logs.join(''), { flag: 'w' });
    if (portal && portal.exitCode === null) {
      const exited = new Promise((r) => portal!.once('exit', r));
      portal.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (portal.exitCode === null) portal.kill('SIGKILL');
    }
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
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
