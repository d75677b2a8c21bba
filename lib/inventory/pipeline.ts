/**
 * `npm run report` (scripts/report.ts) without its I/O: the arguments, each user's status, the JSON a pipeline
 * reads, the human summary and the exit code. Pure, so it is unit-tested.
 */
import { parseArgs } from 'node:util';
import type { ProgramGap } from '@/lib/program/resolve';
import { programGapText } from '@/lib/program/resolve';
import { userStatusOf, type InventoryRowLike, type UserStatus } from './coverage-view';
import type { ValidationReport } from './report-model';

export const USAGE = `Runs the inventory and the verdicts against the configured organisation (the portal's settings and
database), stores the validation report as the portal's "Generate report now" does, and prints it.

  npm run report -- [--format text|json] [--fail-on-gaps N]

  --format json       {"generatedAt","totals","users":[{"accountId","userName","status","gap","flags"}]} on stdout
  --fail-on-gaps N    exit 1 when there are more than N gaps (N >= 0)

Exit codes: 0 done; 1 more gaps than --fail-on-gaps allows; 2 bad arguments or settings (nothing was run);
3 the inventory failed or was incomplete (the report is still printed when one was made).`;

export type ReportArgs = { format: 'text' | 'json'; failOnGaps: number | null; help: boolean };

/** The arguments, or the problem with them (exit 2). */
export function parseReportArgs(argv: string[]): { args: ReportArgs } | { error: string } {
  let values: { format?: string; 'fail-on-gaps'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { format: { type: 'string' }, 'fail-on-gaps': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') return { error: `--format must be text or json, not "${format}"` };
  const raw = values['fail-on-gaps'];
  if (raw !== undefined && !/^\d+$/.test(raw)) return { error: `--fail-on-gaps must be a whole number of gaps (0 or more), not "${raw}"` };
  return { args: { format, failOnGaps: raw === undefined ? null : Number(raw), help: values.help ?? false } };
}

export type PipelineStatus = UserStatus;

/** A user as the report's generation read them (a `program_users` row). */
export type PipelineUserRow = Pick<InventoryRowLike, 'consoleAccess' | 'decision' | 'exceptionExpired' | 'programGap' | 'flags'> & {
  accountId: string;
  userName: string;
};

/** The status rule of the user's page and the report (coverage-view.ts), so a pipeline sees what a person sees. */
export const userStatus = (u: PipelineUserRow): PipelineStatus => userStatusOf(u);

export type PipelineUser = { accountId: string; userName: string; status: PipelineStatus; gap: ProgramGap | null; flags: string[] };
export type PipelineJson = { generatedAt: string; totals: ValidationReport['totals']; users: PipelineUser[] };

export function toPipelineJson(report: ValidationReport, users: PipelineUserRow[]): PipelineJson {
  return {
    generatedAt: report.generatedAt,
    totals: report.totals,
    users: users
      .map((u) => {
        const status = userStatus(u);
        return { accountId: u.accountId, userName: u.userName, status, gap: status === 'gap' ? u.programGap : null, flags: [...u.flags] };
      })
      .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName)),
  };
}

export type RunOutcome = { runId: number; status: 'succeeded' | 'partial' | 'failed'; error: string | null; accountErrors: { accountId: string; error: string }[] };

const GAPS_SHOWN = 25;

export function formatSummary(reportId: number, report: ValidationReport, run: RunOutcome, statuses: Record<PipelineStatus, number>): string {
  const t = report.totals;
  const lines = [
    `MFA validation report #${reportId}, generated ${report.generatedAt} (inventory run #${run.runId}: ${run.status})`,
    `In scope ${t.inScope}: compliant ${t.enabled}, gaps ${t.gaps} (coverage ${t.coveragePct}%)`,
    `Exceptions in force ${t.exceptions}, expired exceptions ${t.expiredExceptions}, out of scope ${t.outOfScope}, users without console access ${statuses['no-console']}`,
  ];
  for (const a of run.accountErrors) lines.push(`Account ${a.accountId} was not read: ${a.error} (its previous inventory is used)`);
  if (report.gaps.length > 0) {
    lines.push('', 'Gaps:');
    for (const g of report.gaps.slice(0, GAPS_SHOWN)) lines.push(`  ${g.accountId}  ${g.userName}: ${programGapText[g.programGap]}. ${g.remediationText}`);
    if (report.gaps.length > GAPS_SHOWN) lines.push(`  … and ${report.gaps.length - GAPS_SHOWN} more (all of them: --format json, or the report in the portal)`);
  }
  return `${lines.join('\n')}\n`;
}

export function countStatuses(users: PipelineUser[]): Record<PipelineStatus, number> {
  const counts: Record<PipelineStatus, number> = { compliant: 0, gap: 0, exception: 0, 'out-of-scope': 0, 'no-console': 0 };
  for (const u of users) counts[u.status]++;
  return counts;
}

/** 3 when the inventory was not complete (CI must not pass on accounts it could not read), else 1 above the threshold. */
export function exitCodeFor(gaps: number, failOnGaps: number | null, runStatus: RunOutcome['status']): 0 | 1 | 3 {
  if (runStatus !== 'succeeded') return 3;
  return failOnGaps !== null && gaps > failOnGaps ? 1 : 0;
}
