import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { asc, sql } from 'drizzle-orm';
import { describeOnDatabases } from '@/test-support/databases';
import { openDatabase, type Database } from '@/lib/db/client';
import { auditLog } from '@/lib/db/schema';
import { useLocalStack } from '@/test-support/stack';
import { childEnv } from '@/test-support/env';
import { recordAudit } from './log';
import { describeBreak } from './chain';
import { verifyAuditChain } from './verify';

const run = promisify(execFile);
const tmp = (p: string) => mkdtempSync(path.join(tmpdir(), p));
const dirs: string[] = [];

beforeAll(async () => {
  // The audit:verify script reads the portal's settings (lib/env.ts): the local stack's, with its own database.
  await useLocalStack();
}, 120_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** As a superuser/owner would: lift the append-only trigger, run `statement`, put the trigger back. */
async function tamper(database: Database, statement: ReturnType<typeof sql>) {
  await database.db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
  try {
    await database.db.execute(statement);
  } finally {
    await database.db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);
  }
}

const rowsOf = (database: Database) => database.db.select().from(auditLog).orderBy(asc(auditLog.seq));

const write = (database: Database, n: number, actor = 'carol@example.com') =>
  (async () => {
    for (let i = 0; i < n; i++) await recordAudit(database.db, { actor, action: 'program.settings.update', outcome: 'success', detail: { i, note: `é "quoted" ${i}` } });
  })();

describeOnDatabases('the audit hash chain', (current) => {
  it('chains every row: seq 1, 2, 3 …, each prev_hash the previous hash, whatever the caller passes', async () => {
    await write(current(), 3);
    // Raw SQL cannot choose its place in the chain either: the trigger overwrites seq and the hashes.
    await current().db.execute(sql`INSERT INTO audit_log (actor, action, outcome, seq, prev_hash, hash) VALUES ('x', 'auth.sign-in', 'success', 99, 'forged', 'forged')`);
    const rows = await rowsOf(current());
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows[0]!.prevHash).toBe('');
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
    expect(rows.at(-1)!.hash).not.toBe('forged');
    const result = await verifyAuditChain(current().db);
    expect(result).toEqual({ ok: true, rows: rows.length, head: { seq: rows.length, hash: rows.at(-1)!.hash } });
  });

  it('refuses UPDATE and DELETE of audit rows, including their hashes', async () => {
    const refused = async (statement: ReturnType<typeof sql>) => {
      const error = await current().db.execute(statement).then(() => null, (e: Error) => e);
      expect(error, 'statement should have been rejected').not.toBeNull();
      return String((error!.cause as Error | undefined)?.message ?? error!.message);
    };
    expect(await refused(sql`UPDATE audit_log SET hash = 'x' WHERE seq = 1`)).toMatch(/append-only \(UPDATE rejected\)/);
    expect(await refused(sql`DELETE FROM audit_log WHERE seq = 2`)).toMatch(/append-only \(DELETE rejected\)/);
    expect((await verifyAuditChain(current().db)).ok).toBe(true);
  });

  it('keeps one chain when writers append at the same moment', async () => {
    await Promise.all([write(current(), 10, 'w1'), write(current(), 10, 'w2'), write(current(), 10, 'w3')]);
    const rows = await rowsOf(current());
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect((await verifyAuditChain(current().db, 7)).ok).toBe(true);
  });

  it('names the first row changed after it was written, even when later rows are changed too', async () => {
    const before = await rowsOf(current());
    const victim = before[4]!;
    await tamper(current(), sql`UPDATE audit_log SET detail = '{"i": 4, "note": "nothing to see"}'::jsonb WHERE id = ${victim.id}`);
    await tamper(current(), sql`UPDATE audit_log SET actor = 'mallory' WHERE id = ${before[9]!.id}`);
    const result = await verifyAuditChain(current().db, 3);
    expect(result).toMatchObject({ ok: false, rows: 4, broken: { id: victim.id, seq: victim.seq, problem: 'altered' } });
    if (!result.ok) expect(describeBreak(result.broken)).toContain(`row id ${victim.id} (seq ${victim.seq}) was changed`);
  });
});

describe('the audit hash chain across a removed row, and in the npm script', () => {
  it('names the row after a removed one; audit:verify exits 1 naming it, 0 when intact', async () => {
    const dir = tmp('mfa-audit-verify-');
    dirs.push(dir);
    let database = await openDatabase(`pglite:${dir}`);
    await write(database, 5);
    const rows = await rowsOf(database);
    await database.close();

    const verify = (url: string) =>
      run(path.join(process.cwd(), 'node_modules/.bin/tsx'), ['--conditions=react-server', 'scripts/audit-verify.ts'], { env: childEnv({ DATABASE_URL: url }) }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const intact = await verify(`pglite:${dir}`);
    expect(intact).toMatchObject({ code: 0 });
    expect(intact.out).toContain(`audit log intact: 5 rows chained.`);
    expect(intact.out).toContain(`head: seq 5 hash ${rows[4]!.hash}`);

    database = await openDatabase(`pglite:${dir}`);
    await tamper(database, sql`DELETE FROM audit_log WHERE id = ${rows[2]!.id}`);
    const result = await verifyAuditChain(database.db);
    expect(result).toMatchObject({ ok: false, rows: 2, broken: { id: rows[3]!.id, seq: 4, problem: 'gap' } });
    await database.close();

    const broken = await verify(`pglite:${dir}`);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`row id ${rows[3]!.id} (seq 4)`);
  }, 120_000);
});

describe('migration 0012 on a log written before it', () => {
  it('chains the existing rows in the order they were written', async () => {
    // The migrations up to 0011, some rows, then 0012 and later ones (the migrator skips any dated before the last applied).
    const folder = tmp('mfa-audit-migrations-');
    const dataDir = tmp('mfa-audit-legacy-');
    dirs.push(folder, dataDir);
    cpSync(path.join(process.cwd(), 'lib/db/migrations'), folder, { recursive: true });
    const journalFile = path.join(folder, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.filter((e) => Number(e.tag.slice(0, 4)) < 12) }));

    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const client = new PGlite(dataDir);
    await migrate(drizzle(client), { migrationsFolder: folder });
    // Written out of id order on purpose: the chain follows time, then id.
    await client.exec(`INSERT INTO audit_log (at, actor, action, outcome, detail) VALUES
      ('2025-01-02T00:00:00Z', 'b', 'auth.sign-in', 'success', '{"n": 2}'),
      ('2025-01-01T00:00:00Z', 'a', 'auth.sign-in', 'failure', '{"n": 1}'),
      ('2025-01-03T00:00:00Z', 'c', 'auth.sign-out', 'success', '{}')`);
    await client.close();

    const database = await openDatabase(`pglite:${dataDir}`);
    try {
      await recordAudit(database.db, { actor: 'd', action: 'auth.sign-in', outcome: 'success' });
      const rows = await rowsOf(database);
      expect(rows.map((r) => [r.seq, r.actor])).toEqual([
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
        [4, 'd'],
      ]);
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, rows: 4 });
    } finally {
      await database.close();
    }
  }, 60_000);
});
