import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { startTestPostgres, type TestPostgres } from '@/scripts/test-postgres';
import { listAudit, recordAudit } from '@/lib/audit/log';
import { openDatabase, type Database } from './client';

type Backend = { name: string; url: () => string; cleanup: () => Promise<void> };

let pgServer: TestPostgres;
const pgliteDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-pglite-'));

beforeAll(async () => {
  pgServer = await startTestPostgres();
}, 120_000);

afterAll(async () => {
  await pgServer?.stop();
  rmSync(pgliteDir, { recursive: true, force: true });
});

const backends: Backend[] = [
  { name: 'PGlite', url: () => `pglite:${pgliteDir}`, cleanup: async () => undefined },
  { name: 'PostgreSQL server', url: () => pgServer.url, cleanup: async () => undefined },
];

describe.each(backends)('storage on $name', (backend) => {
  let database: Database;

  beforeAll(async () => {
    database = await openDatabase(backend.url());
  });
  afterAll(async () => {
    await database?.close();
  });

  it('applies the migrations and records audit entries in order', async () => {
    await recordAudit(database.db, { actor: 'alice@example.com', action: 'auth.sign-in', outcome: 'success', detail: { method: 'oidc' } });
    await recordAudit(database.db, { actor: 'access-key:AKIA…', action: 'auth.sign-in', outcome: 'failure', detail: { reason: 'InvalidKeys' } });
    const entries = await listAudit(database.db, { action: 'auth.sign-in' });
    expect(entries.slice(0, 2).map((e) => [e.actor, e.outcome, e.detail])).toEqual([
      ['access-key:AKIA…', 'failure', { reason: 'InvalidKeys' }],
      ['alice@example.com', 'success', { method: 'oidc' }],
    ]);
    expect(entries[0]!.at).toBeInstanceOf(Date);
  });

  it('keeps the audit log append-only', async () => {
    // drizzle wraps the server's error; the database's own message is the cause.
    const failure = async (statement: ReturnType<typeof sql>) => {
      const error = await database.db.execute(statement).then(() => null, (e: Error) => e);
      expect(error, 'statement should have been rejected').not.toBeNull();
      return String((error!.cause as Error | undefined)?.message ?? error!.message);
    };
    expect(await failure(sql`UPDATE audit_log SET actor = 'mallory'`)).toMatch(/append-only \(UPDATE rejected\)/);
    expect(await failure(sql`DELETE FROM audit_log`)).toMatch(/append-only \(DELETE rejected\)/);
    expect(await failure(sql`TRUNCATE audit_log`)).toMatch(/append-only \(TRUNCATE rejected\)/);
    expect(await failure(sql`INSERT INTO audit_log (actor, action, outcome) VALUES ('x', 'y', 'maybe')`)).toMatch(/audit_log_outcome_check/);
    const entries = await listAudit(database.db, {});
    expect(entries.every((e) => e.actor !== 'mallory')).toBe(true);
  });

  it('filters by actor', async () => {
    const entries = await listAudit(database.db, { actor: 'alice@example.com' });
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.actor === 'alice@example.com')).toBe(true);
  });
});

describe('PostgreSQL server with several portal instances', () => {
  it('migrates once when instances start at the same moment, and all of them work', async () => {
    const server = await startTestPostgres();
    try {
      const instances = await Promise.all([openDatabase(server.url), openDatabase(server.url), openDatabase(server.url)]);
      try {
        await Promise.all(instances.map((d, i) => recordAudit(d.db, { actor: `instance-${i}`, action: 'inventory.refresh', outcome: 'success' })));
        const all = await listAudit(instances[0]!.db, { action: 'inventory.refresh' });
        expect(all.map((e) => e.actor).sort()).toEqual(['instance-0', 'instance-1', 'instance-2']);
      } finally {
        await Promise.all(instances.map((d) => d.close()));
      }
    } finally {
      await server.stop();
    }
  }, 120_000);
});
