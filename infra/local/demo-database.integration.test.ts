import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, type Db } from '@/lib/db/client';
import { inventoryRuns, inventoryUsers, programCategories, validationReports } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { prepareDemoDatabase } from './demo-database';
import { seedDemoProgram } from './demo-program';

// Two demo starts against one repository: each prepares the database, writes the demo program, and the first then
// works (an inventory, a program change, audit rows, a report). The second must see none of it.
const repoRoot = mkdtempSync(path.join(tmpdir(), 'mfa-portal-demo-db-'));
const databaseUrl = 'pglite:.data/pglite';
const url = `pglite:${path.join(repoRoot, '.data/pglite')}`;
const tokensFile = path.join(repoRoot, 'hardware-tokens.json');
writeFileSync(tokensFile, JSON.stringify([{ serial: 'GAHT00000001', accountId: '111111111111', userName: 'alice' }, { serial: 'GAHT00000002' }]));

afterAll(() => rmSync(repoRoot, { recursive: true, force: true }));

/** Rows per table of the portal's schema, so that tables added later are covered too. */
async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = (await db.execute(sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)) as unknown as { rows: { table_name: string }[] };
  const counts: Record<string, number> = {};
  for (const { table_name: t } of tables.rows) {
    const res = (await db.execute(sql.raw(`SELECT count(*)::int AS n FROM "${t}"`))) as unknown as { rows: { n: number }[] };
    counts[t] = res.rows[0]!.n;
  }
  return counts;
}

/** One demo start's database steps, as demo.ts runs them; returns the printed line and the counts the portal then finds. */
async function demoStart(session?: (db: Db) => Promise<void>) {
  const line = await prepareDemoDatabase(databaseUrl, repoRoot);
  const program = await seedDemoProgram(url, tokensFile);
  const d = await openDatabase(url);
  try {
    const counts = await rowCounts(d.db);
    await session?.(d.db);
    return { line, program, counts, after: await rowCounts(d.db) };
  } finally {
    await d.close();
  }
}

describe('the demo database', () => {
  // Four PGlite opens with every migration: slow on a loaded machine, hence the generous limit.
  it('starts fresh on every demo start, and says so', async () => {
    const first = await demoStart(async (db) => {
      const [run] = await db.insert(inventoryRuns).values({ status: 'succeeded', trigger: 'manual', actor: 'carol@example.com', finishedAt: new Date() }).returning();
      await db.insert(inventoryUsers).values({ accountId: '111111111111', userName: 'old-session-user', arn: 'arn:aws:iam::111111111111:user/old-session-user', consoleAccess: true, mfaState: 'none', source: 'inventory' });
      await db.update(programCategories).set({ minDevices: 1, updatedBy: 'carol@example.com' }).where(eq(programCategories.name, 'Operators'));
      await recordAudit(db, { actor: 'carol@example.com', action: 'inventory.refresh', outcome: 'success', detail: { runId: run!.id } });
      await db.insert(validationReports).values({ actor: 'carol@example.com', content: { generatedAt: new Date().toISOString() } });
    });
    expect(first.line).toBe('Demo database: started fresh in .data/pglite.');
    expect(first.program).toBe('4 categories, 1 exception, 1 hardware tokens');
    expect(first.after.inventory_users).toBe(1);
    expect(first.after.audit_log).toBeGreaterThan(first.counts.audit_log!);

    const second = await demoStart();
    expect(second.line).toBe(
      "Demo database: started fresh in .data/pglite (moto is reseeded on every start, so the previous session's inventory, program changes and audit log were removed).",
    );
    // The demo program is written again rather than kept ("kept the existing program") ...
    expect(second.program).toBe(first.program);
    // ... and every table holds exactly what the first start began with: no inventory, change, audit row or report of the first session.
    expect(second.counts).toEqual(first.counts);
    expect(second.counts.inventory_users).toBe(0);
    expect(second.counts.inventory_runs).toBe(0);
    expect(second.counts.validation_reports).toBe(0);
    const d = await openDatabase(url);
    try {
      const [operators] = await d.db.select().from(programCategories).where(eq(programCategories.name, 'Operators'));
      expect([operators!.minDevices, operators!.updatedBy]).toEqual([2, 'demo-seed']);
      expect(await d.db.execute(sql`SELECT count(*)::int AS n FROM audit_log WHERE actor = 'carol@example.com'`)).toMatchObject({ rows: [{ n: 0 }] });
    } finally {
      await d.close();
    }
  }, 240_000);

  it('refuses to wipe a PostgreSQL database, or a directory that is not a database', async () => {
    await expect(prepareDemoDatabase('postgres://u:p@127.0.0.1:5432/portal', repoRoot)).rejects.toThrow(/will not wipe a PostgreSQL database: unset DATABASE_URL/);
    await expect(prepareDemoDatabase('pglite:.', repoRoot)).rejects.toThrow(/names the repository or the root/);
  });
});
