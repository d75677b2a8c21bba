/**
 * For tests: the same tests on both storage backends the portal supports. PGlite gets a fresh directory; the
 * PostgreSQL server is scripts/test-postgres.ts's (a fresh database on TEST_DATABASE_URL's server, which CI sets, or
 * else an ephemeral cluster from Debian's binaries), so the server variant always runs: it fails when there is no
 * server, it is never skipped.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestPostgres, type TestPostgres } from '@/scripts/test-postgres';
import { openDatabase, type Database } from '@/lib/db/client';

export const DATABASE_BACKENDS = ['PGlite', 'PostgreSQL server'] as const;
export type DatabaseBackend = (typeof DATABASE_BACKENDS)[number];

/**
 * `describe(`${title} on <backend>`)` once per backend, each with its own migrated database, opened before the
 * block's tests and closed after them. `body` reads it through the getter (inside hooks and tests).
 */
export function describeOnDatabases(title: string, body: (database: () => Database, backend: DatabaseBackend) => void): void {
  describe.each(DATABASE_BACKENDS)(`${title} on %s`, (backend) => {
    let database: Database | undefined;
    let server: TestPostgres | undefined;
    let dir: string | undefined;
    beforeAll(async () => {
      if (backend === 'PGlite') {
        dir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-pglite-'));
        database = await openDatabase(`pglite:${dir}`);
      } else {
        server = await startTestPostgres();
        database = await openDatabase(server.url);
      }
    }, 120_000);
    afterAll(async () => {
      await database?.close();
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    body(() => {
      if (!database) throw new Error(`no ${backend} database: its beforeAll failed`);
      return database;
    }, backend);
  });
}
