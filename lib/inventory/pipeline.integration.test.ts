import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { readGroundTruth, type GroundTruth, type GroundTruthUser } from '@/infra/local/ground-truth';
import { openDatabase } from '@/lib/db/client';
import { childEnv } from '@/test-support/env';
import { auditLog, inventoryUsers, programDecisions, validationReports } from '@/lib/db/schema';
import type { PipelineJson } from './pipeline';

// `npm run report` as a pipeline runs it: a child process with the portal's settings for the local stack and its own
// database, against the seeded organisation (no program: every console user is in scope, any device counts).
const repoRoot = process.cwd();
const stack = inject('stack');
const dbDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-report-cli-'));
const databaseUrl = `pglite:${dbDir}`;
let gt: GroundTruth;
let exception: GroundTruthUser;
let outOfScope: GroundTruthUser;

type Result = { code: number | null; stdout: string; stderr: string };
function report(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      path.join(repoRoot, 'node_modules/.bin/tsx'),
      ['--conditions=react-server', 'scripts/report.ts', ...args],
      { cwd: repoRoot, env: childEnv({ ...stack.env, DATABASE_URL: databaseUrl, ...env }), timeout: 170_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const d = await openDatabase(databaseUrl);
  try {
    return await fn(d.db);
  } finally {
    await d.close();
  }
}

const key = (u: { accountId: string; userName: string }) => `${u.accountId}/${u.userName}`;

/** Console users without a qualifying device: with no program, one device of any type is enough. */
const expectedGap = (u: GroundTruthUser) => u.consoleAccess && u.mfaState !== 'enabled';

beforeAll(async () => {
  gt = await readGroundTruth(stack.groundTruthFile);
  const gaps = gt.users.filter(expectedGap);
  [exception, outOfScope] = [gaps[0]!, gaps[1]!];
  // Two admin decisions, so that every status occurs: the database is the CLI's, written before it runs (PGlite: one process at a time).
  await withDb((db) =>
    db.insert(programDecisions).values([
      { accountId: exception.accountId, userName: exception.userName, decision: 'exception', reason: 'Leaving next week', approver: 'ciso@example.com', expiresAt: new Date(Date.now() + 30 * 86_400_000), decidedBy: 'test' },
      { accountId: outOfScope.accountId, userName: outOfScope.userName, decision: 'out-of-scope', reason: 'Shared training account', decidedBy: 'test' },
    ]),
  );
});

afterAll(() => rmSync(dbDir, { recursive: true, force: true }));

describe('npm run report', () => {
  // Gaps the ground truth predicts: console users without MFA, less the two decided above.
  const expectedGaps = () => gt.users.filter(expectedGap).length - 2;

  it('--format json: every user with their status, gap and stored flags; the report is stored and audited; exit 0 at the threshold', async () => {
    const res = await report(['--format', 'json', '--fail-on-gaps', String(expectedGaps())]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as PipelineJson;
    expect(Object.keys(out)).toEqual(['generatedAt', 'totals', 'users']);
    expect(new Date(out.generatedAt).getTime()).toBeGreaterThan(Date.now() - 180_000);
    expect(out.users.map(key).sort()).toEqual(gt.users.map(key).sort());
    const byKey = new Map(out.users.map((u) => [key(u), u]));
    const stored = await withDb((db) => db.select({ accountId: inventoryUsers.accountId, userName: inventoryUsers.userName, flags: inventoryUsers.flags }).from(inventoryUsers));
    const flagsOf = new Map(stored.map((r) => [key(r), r.flags]));
    for (const u of gt.users) {
      const got = byKey.get(key(u))!;
      expect(Object.keys(got), key(u)).toEqual(['accountId', 'userName', 'status', 'gap', 'flags']);
      const want =
        u === exception
          ? { status: 'exception', gap: null }
          : u === outOfScope
            ? { status: 'out-of-scope', gap: null }
            : !u.consoleAccess
              ? { status: 'no-console', gap: null }
              : u.mfaState === 'enabled'
                ? { status: 'compliant', gap: null }
                : { status: 'gap', gap: 'no-mfa' };
      expect({ status: got.status, gap: got.gap }, key(u)).toEqual(want);
      expect(got.flags, key(u)).toEqual(flagsOf.get(key(u)));
    }
    const count = (s: string) => out.users.filter((u) => u.status === s).length;
    expect(out.totals).toMatchObject({ gaps: expectedGaps(), inScope: count('gap') + count('compliant'), enabled: count('compliant'), exceptions: 1, outOfScope: 1 });
    expect(count('gap')).toBe(expectedGaps());

    const [reports, audits] = await withDb(async (db) => [await db.select().from(validationReports), await db.select().from(auditLog).where(eq(auditLog.action, 'report.generate'))] as const);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.actor).toBe('report-cli');
    expect((reports[0]!.content as { totals: unknown }).totals).toEqual(out.totals);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor: 'report-cli', outcome: 'success', detail: { reportId: reports[0]!.id } });
  }, 180_000);

  it('exits 1 with more gaps than --fail-on-gaps allows, and prints the human summary', async () => {
    const gaps = expectedGaps();
    expect(gaps).toBeGreaterThan(0);
    const res = await report(['--fail-on-gaps', String(gaps - 1)]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`${gaps} gaps, more than the ${gaps - 1} allowed (--fail-on-gaps).\n`);
    expect(res.stdout).toMatch(/^MFA validation report #2, generated \S+ \(inventory run #\d+: succeeded\)\n/);
    expect(res.stdout).toContain(`gaps ${gaps} (coverage`);
    expect(res.stdout).toContain('Exceptions in force 1, expired exceptions 0, out of scope 1');
    const someGap = gt.users.find((u) => expectedGap(u) && u !== exception && u !== outOfScope)!;
    expect(res.stdout).toContain(`${someGap.accountId}  ${someGap.userName}: No MFA device.`);
  }, 180_000);

  it('exits 2 with a clear message on bad flags or bad settings, without running anything', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--fail-on-gaps', 'many'], {}, /--fail-on-gaps must be a whole number of gaps \(0 or more\), not "many"/],
      [['--fail-on-gaps', '-1'], {}, /--fail-on-gaps/],
      [['--format', 'xml'], {}, /--format must be text or json, not "xml"/],
      [['--verbose'], {}, /Unknown option '--verbose'/],
      [['--format', 'json'], { MFA_ACCOUNTS: '12345' }, /Invalid configuration[\s\S]*MFA_ACCOUNTS[\s\S]*"12345" is not a 12-digit account id/],
      [['--format', 'json'], { DATABASE_URL: 'mysql://db/portal' }, /Invalid configuration[\s\S]*DATABASE_URL/],
    ];
    for (const [args, env, message] of cases) {
      const res = await report(args, env);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stdout, args.join(' ')).toBe('');
      expect(res.stderr, args.join(' ')).toMatch(message);
    }
    const reports = await withDb((db) => db.select({ id: validationReports.id }).from(validationReports));
    expect(reports).toHaveLength(2);
  }, 120_000);

  it('exits 3 when no account can be read, and stores no report', async () => {
    // Nothing listens on port 9 of this machine: every IAM call fails, so the run fails.
    const res = await report(['--format', 'json'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' });
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^npm run report: the inventory failed \(run #\d+\): accounts failed: /);
    const reports = await withDb((db) => db.select({ id: validationReports.id }).from(validationReports));
    expect(reports).toHaveLength(2);
  }, 180_000);
});
