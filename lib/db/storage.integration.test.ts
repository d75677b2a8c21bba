import { describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { startTestPostgres } from '@/scripts/test-postgres';
import { listAudit, recordAudit } from '@/lib/audit/log';
import { openDatabase } from './client';
import { describeOnDatabases } from '@/test-support/databases';
import { processLog } from '@/lib/log';

describeOnDatabases('storage', (current) => {
  it('applies the migrations and records audit entries in order', async () => {
    await recordAudit(current().db, { actor: 'alice@example.com', action: 'auth.sign-in', outcome: 'success', detail: { method: 'oidc' } });
    await recordAudit(current().db, { actor: 'access-key:AKIA…', action: 'auth.sign-in', outcome: 'failure', detail: { reason: 'InvalidKeys' } });
    const entries = await listAudit(current().db, { action: 'auth.sign-in' });
    expect(entries.slice(0, 2).map((e) => [e.actor, e.outcome, e.detail])).toEqual([
      ['access-key:AKIA…', 'failure', { reason: 'InvalidKeys' }],
      ['alice@example.com', 'success', { method: 'oidc' }],
    ]);
    expect(entries[0]!.at).toBeInstanceOf(Date);
  });

  it('keeps the audit log append-only', async () => {
    // drizzle wraps the server's error; the database's own message is the cause.
    const failure = async (statement: ReturnType<typeof sql>) => {
      const error = await current().db.execute(statement).then(() => null, (e: Error) => e);
      expect(error, 'statement should have been rejected').not.toBeNull();
      return String((error!.cause as Error | undefined)?.message ?? error!.message);
    };
    expect(await failure(sql`UPDATE audit_log SET actor = 'mallory'`)).toMatch(/append-only \(UPDATE rejected\)/);
    expect(await failure(sql`DELETE FROM audit_log`)).toMatch(/append-only \(DELETE rejected\)/);
    expect(await failure(sql`TRUNCATE audit_log`)).toMatch(/append-only \(TRUNCATE rejected\)/);
    expect(await failure(sql`INSERT INTO audit_log (actor, action, outcome) VALUES ('x', 'y', 'maybe')`)).toMatch(/audit_log_outcome_check/);
    const entries = await listAudit(current().db, {});
    expect(entries.every((e) => e.actor !== 'mallory')).toBe(true);
  });

  it('filters by actor', async () => {
    const entries = await listAudit(current().db, { actor: 'alice@example.com' });
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

  it('survives the server ending an idle pooled connection, and answers the next query', async () => {
    const server = await startTestPostgres();
    const logged = vi.spyOn(processLog, 'error').mockImplementation(() => undefined);
    try {
      const database = await openDatabase(server.url);
      try {
        await recordAudit(database.db, { actor: 'before', action: 'inventory.refresh', outcome: 'success' });
        // As a restart or an administrator would: end every other session on this database.
        const admin = new pg.Client({ connectionString: server.url });
        await admin.connect();
        const { rows } = await admin.query('SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) t');
        await admin.end();
        expect(rows[0].n).toBeGreaterThan(0);
        await vi.waitFor(() => expect(logged).toHaveBeenCalledWith(expect.objectContaining({ err: expect.objectContaining({ code: '57P01' }) }), expect.stringMatching(/connection lost while idle/)), { timeout: 5_000 });
        await recordAudit(database.db, { actor: 'after', action: 'inventory.refresh', outcome: 'success' });
        expect((await listAudit(database.db, { action: 'inventory.refresh' })).map((e) => e.actor)).toEqual(['after', 'before']);
      } finally {
        await database.close();
      }
    } finally {
      logged.mockRestore();
      await server.stop();
    }
  }, 60_000);
});
