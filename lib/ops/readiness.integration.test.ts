import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import pg from 'pg';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { describeOnDatabases } from '@/test-support/databases';
import { startTestPostgres, type TestPostgres } from '@/scripts/test-postgres';
import type { Db } from '@/lib/db/client';
import { recordListing, recordReachability } from '@/lib/accounts/store';
import { accountReachability, checkReadiness, isMigrated, newestMigrationTime } from './readiness';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';

describeOnDatabases('readiness', (database) => {
  beforeAll(async () => {
    const db = database().db;
    await recordListing(db, 'static', [A, B, C].map((id) => ({ id, name: `Account ${id}`, status: 'managed' as const, organizationsState: null })));
    await recordReachability(db, A, null);
    await recordReachability(db, B, 'AccessDenied (AccessDenied)');
  });

  it('is ready on a migrated database, with the reachability counts and nothing else', async () => {
    const db = database().db;
    const result = await checkReadiness(async () => db, async () => [A, B, C, D]);
    expect(result).toEqual({ ready: true, database: 'ok', accounts: { total: 4, reachable: 1, unreachable: 1, unchecked: 2 } });
    expect(JSON.stringify(result)).not.toMatch(/\d{12}|Account|AccessDenied/);
  });

  it('counts only the accounts managed now', async () => {
    expect(await accountReachability(database().db, [B])).toEqual({ total: 1, reachable: 0, unreachable: 1, unchecked: 0 });
    expect(await accountReachability(database().db, [])).toEqual({ total: 0, reachable: 0, unreachable: 0, unchecked: 0 });
  });

  it('knows the ledger holds the newest migration, and that one newer than it is missing', async () => {
    expect(await isMigrated(database().db)).toBe(true);
    expect(await isMigrated(database().db, newestMigrationTime() + 1)).toBe(false);
  });

  it('is not ready when the database does not answer', async () => {
    const result = await checkReadiness(async () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.1:5432')), async () => [A]);
    expect(result).toEqual({ ready: false, database: 'unreachable', accounts: { total: 0, reachable: 0, unreachable: 0, unchecked: 0 } });
  });
});

describe('readiness of a database nothing was migrated on', () => {
  let dir: string;
  let lite: PGlite;
  let server: TestPostgres;
  let pool: pg.Pool;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-unmigrated-'));
    lite = new PGlite(dir);
    server = await startTestPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 1 });
  }, 120_000);
  afterAll(async () => {
    await lite?.close();
    await pool?.end();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['PGlite', 'PostgreSQL server'] as const)('answers not-migrated on %s', async (backend) => {
    const db = (backend === 'PGlite' ? drizzle(lite) : drizzlePg(pool)) as unknown as Db;
    expect(await checkReadiness(async () => db, async () => [A])).toEqual({ ready: false, database: 'not-migrated', accounts: { total: 0, reachable: 0, unreachable: 0, unchecked: 0 } });
  });
});
