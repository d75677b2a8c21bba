/**
 * A real PostgreSQL server for tests. With TEST_DATABASE_URL (CI starts Debian's cluster and sets it),
 * a fresh database is created on that server for this run and dropped afterwards. Without it, an
 * ephemeral cluster is started from Debian's PostgreSQL binaries in a temp directory on a free port,
 * so `npm test` needs nothing running beforehand.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import pg from 'pg';

export type TestPostgres = { url: string; stop(): Promise<void> };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) {
    throw new Error(
      'No PostgreSQL server found. Install Debian\'s postgresql package (apt-get install -y postgresql) or set TEST_DATABASE_URL=postgres://…',
    );
  }
  return path.join(root, newest, 'bin');
}

async function withDatabase(adminUrl: string): Promise<TestPostgres> {
  const name = `mfa_portal_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async stop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      return;
    } catch (error) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not start: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return withDatabase(given);

  const bin = postgresBin();
  const dir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  // initdb and postgres refuse to run as root: run them as the postgres system user then.
  const asRoot = process.getuid?.() === 0;
  const wrap = (cmd: string, args: string[]) => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]) as [string, string[]];
  if (asRoot) {
    chmodSync(dir, 0o755);
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  execFileSync(...wrap(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']), { stdio: 'ignore' });
  const server = spawn(
    ...wrap(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    { stdio: 'ignore', detached: false },
  );
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    await waitForServer(adminUrl, 30_000);
  } catch (error) {
    server.kill('SIGKILL');
    throw error;
  }
  return {
    url: adminUrl,
    async stop() {
      if (server.exitCode === null) {
        server.kill('SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
