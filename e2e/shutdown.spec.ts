import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { expect, test } from '@playwright/test';
import { freePort } from '../infra/local/ports';

/**
 * Graceful shutdown of the real standalone server (the container's `node server.js`): a second portal (its own PGlite, the local stack's settings) behind a small
 * AWS forwarder of this spec's own, which holds the inventory's IAM reads (so the run is in flight) and answers the
 * event queue's ReceiveMessage itself after a delay (a slow request, and the shared queue is left alone). Then SIGTERM.
 */
const GRACE_SECONDS = 10;
const RECEIVE_DELAY_MS = 4000;

type Forwarder = { url: string; seen: string[]; close(): void };

/** Forwards AWS requests to the stack's endpoint; holds GetAccountAuthorizationDetails; answers ReceiveMessage (empty) late. */
async function startForwarder(upstream: string): Promise<Forwarder> {
  const seen: string[] = [];
  const held = new Set<IncomingMessage>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target ? target.split('.').pop()! : (new URLSearchParams(body.toString()).get('Action') ?? '');
    seen.push(action);
    if (action === 'GetAccountAuthorizationDetails') {
      held.add(req);
      return; // never answered: the inventory run stays in flight
    }
    if (action === 'ReceiveMessage') {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{"Messages":[]}');
      }, RECEIVE_DELAY_MS);
      return;
    }
    const url = new URL(req.url ?? '/', upstream);
    // The Host header stays as signed (SigV4 covers it).
    const out = httpRequest(url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    out.end(body);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      for (const r of held) r.socket.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, detail: () => string = () => '', ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}\n${detail()}`);
}

test('SIGTERM: the request in flight completes, the inventory lease is given back, the process exits 0 within 30 s', async () => {
  test.setTimeout(150_000);
  const stackEnv = JSON.parse(process.env.E2E_STACK_ENV ?? '{}') as Record<string, string>;
  expect(stackEnv.MFA_CRON_SECRET, 'the global setup passes the stack settings').toBeTruthy();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-shutdown-'));
  const forwarder = await startForwarder(stackEnv.AWS_ENDPOINT_URL!);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  let portal: ChildProcess | undefined;
  try {
    // The container's server, from the folder the global setup prepared (scripts/standalone.mjs), as in production.
    const standaloneDir = process.env.E2E_STANDALONE_DIR;
    expect(standaloneDir, 'the global setup prepares the standalone server').toBeTruthy();
    portal = spawn(process.execPath, ['server.js'], {
      cwd: standaloneDir,
      env: {
        ...process.env,
        ...stackEnv,
        PORT: String(port),
        HOSTNAME: '127.0.0.1',
        AWS_ENDPOINT_URL: forwarder.url,
        NEXTAUTH_URL: url,
        DATABASE_URL: `pglite:${dataDir}`,
        MFA_EVENTS_MODE: 'cron',
        MFA_SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    portal.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    portal.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => portal!.once('exit', (code) => resolve(code)));
    await waitFor('the second portal to answer /api/health', async () => (await fetch(`${url}/api/health`)).ok);
    const cron = { Authorization: `Bearer ${stackEnv.MFA_CRON_SECRET}` };

    const started = await fetch(`${url}/api/cron/inventory`, { method: 'POST', headers: cron });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: number };
    const state = () => `AWS calls: ${forwarder.seen.join(', ')}\n${output.slice(-3000)}`;
    await waitFor('the inventory to reach its IAM reads', () => forwarder.seen.includes('GetAccountAuthorizationDetails'), state);

    const slow = fetch(`${url}/api/cron/events`, { method: 'POST', headers: cron });
    await waitFor('the slow request to reach the queue', () => forwarder.seen.includes('ReceiveMessage'), state);
    const signalled = Date.now();
    portal.kill('SIGTERM');

    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 0, applied: 0, dropped: 0, failed: 0 });
    const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(code, output.slice(-3000)).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(30_000);
    expect(output).toContain('shutdown done');

    const db = new PGlite(dataDir);
    try {
      const { rows } = await db.query<{ status: string; error: string | null }>('SELECT status, error FROM inventory_runs WHERE id = $1', [runId]);
      expect(rows).toEqual([{ status: 'failed', error: 'interrupted: the portal instance running it shut down' }]);
      expect((await db.query('SELECT 1 FROM inventory_runs WHERE status = $1', ['running'])).rows).toEqual([]);
    } finally {
      await db.close();
    }
  } finally {
    if (portal && portal.exitCode === null && portal.signalCode === null) portal.kill('SIGKILL');
    forwarder.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
