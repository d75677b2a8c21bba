import 'server-only';
import { MAX_DB_ID } from '@/lib/actions/params';
import { desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { recordAudit } from '@/lib/audit/log';
import { consoleSignInEvidence, enrollmentEvents, inventoryAccounts, inventoryRuns, programUsers, validationReports } from '@/lib/db/schema';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { csvDocument, csvLine } from '@/lib/csv';
import { getAccountsState } from '@/lib/accounts/status';
import { flagEvidenceText } from './export';
import { approvalOf, approvalsByTarget } from '@/lib/program/exception-notify';
import { buildValidationReport, toValidationReport, type ReportEvent, type ReportUser, type ValidationReport } from './report-model';

const REPORT_EVENT_KINDS = ['virtual.enabled', 'hardware.enable', 'fido.detected', 'device.test-console', 'device.test-cli'];

const assertAdmin = (actor: Actor) => assertRole(actor.roles, 'admin', 'validation reports');

/**
 * Builds the report now from the stored inventory with the program applied and the enrollment events, and keeps a
 * copy with its time. `users` are the rows it was computed from (npm run report lists every user's status).
 */
export async function generateValidationReport(actor: Actor): Promise<{ id: number; report: ValidationReport; users: ReportUser[] }> {
  assertAdmin(actor);
  const db = await getDb();
  const p = programUsers;
  const [users, events, [lastRun], evidence] = await Promise.all([
    db
      .select({
        accountId: p.accountId,
        userName: p.userName,
        consoleAccess: p.consoleAccess,
        mfaState: p.mfaState,
        flags: p.flags,
        flagEvidence: p.flagEvidence,
        devices: p.devices,
        categoryId: p.categoryId,
        categoryName: p.categoryName,
        cohort: p.cohort,
        deadline: p.deadline,
        allowedDeviceTypes: p.allowedDeviceTypes,
        minDevices: p.minDevices,
        decision: p.decision,
        decisionSource: p.decisionSource,
        decisionReason: p.decisionReason,
        approver: p.approver,
        expiresAt: p.expiresAt,
        decidedBy: p.decidedBy,
        exceptionExpired: p.exceptionExpired,
        inScope: p.inScope,
        compliant: p.compliant,
        programGap: p.programGap,
      })
      .from(p),
    db
      .select({
        at: enrollmentEvents.at,
        accountId: enrollmentEvents.accountId,
        userName: enrollmentEvents.userName,
        kind: enrollmentEvents.kind,
        outcome: enrollmentEvents.outcome,
        serial: enrollmentEvents.serial,
        deviceType: enrollmentEvents.deviceType,
        reason: enrollmentEvents.reason,
      })
      .from(enrollmentEvents)
      .where(inArray(enrollmentEvents.kind, REPORT_EVENT_KINDS)),
    db.select().from(inventoryRuns).where(inArray(inventoryRuns.status, ['succeeded', 'partial'])).orderBy(desc(inventoryRuns.startedAt)).limit(1),
    db
      .select({ accountId: consoleSignInEvidence.accountId, userName: consoleSignInEvidence.userName, mfaSeenAt: consoleSignInEvidence.mfaSeenAt })
      .from(consoleSignInEvidence)
      .where(isNotNull(consoleSignInEvidence.mfaSeenAt)),
  ]);
  const roots = lastRun
    ? await db.select({ accountId: inventoryAccounts.accountId, status: inventoryAccounts.rootStatus }).from(inventoryAccounts).where(eq(inventoryAccounts.runId, lastRun.id))
    : [];
  const { unreachable } = await getAccountsState(actor);
  // Who approved each exception and when, from its request record (lib/program/exception-notify.ts).
  const approvals = await approvalsByTarget(db);
  const withApprovals = users.map((u) => {
    const a = u.decision === 'exception' ? approvalOf(approvals, u) : undefined;
    return { ...u, approvedAt: a && a.approvedBy === u.approver ? a.approvedAt : null };
  });
  const report = buildValidationReport(
    withApprovals,
    events as ReportEvent[],
    new Date(),
    lastRun?.finishedAt ?? null,
    roots,
    unreachable.map((u) => ({ accountId: u.id, reason: u.reason })),
    evidence as { accountId: string; userName: string; mfaSeenAt: Date }[],
  );
  const [row] = await db.insert(validationReports).values({ actor: actor.id, content: report as unknown as Record<string, unknown> }).returning({ id: validationReports.id });
  // Audited here, whoever asks for it (the page, a headless run): callers do not write their own row.
  await recordAudit(db, { actor: actor.id, action: 'report.generate', outcome: 'success', detail: { reportId: row!.id } });
  return { id: row!.id, report, users };
}

export async function listValidationReports(actor: Actor, limit = 20): Promise<{ id: number; generatedAt: Date; actor: string }[]> {
  assertAdmin(actor);
  const db = await getDb();
  return db.select({ id: validationReports.id, generatedAt: validationReports.generatedAt, actor: validationReports.actor }).from(validationReports).orderBy(desc(validationReports.generatedAt)).limit(limit);
}

export async function getValidationReport(actor: Actor, id: number): Promise<ValidationReport | null> {
  assertAdmin(actor);
  // An id past the integer column (1e30 from a URL) would fail the query: no such report.
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_DB_ID) return null;
  const db = await getDb();
  const [row] = await db.select().from(validationReports).where(eq(validationReports.id, id));
  return row ? toValidationReport(row.content) : null;
}

/** The report as CSV: one section per part, so a spreadsheet shows totals, the register, gaps and tests. */
export function reportToCsv(r: ValidationReport): string {
  return csvDocument([
    csvLine(['section', 'key', 'value']),
    csvLine(['meta', 'generated_at', r.generatedAt]),
    csvLine(['meta', 'inventory_as_of', r.inventoryAsOf ?? '']),
    ...Object.entries(r.totals).map(([k, v]) => csvLine(['totals', k, v])),
    '',
    csvLine(['section', 'account_id', 'user_name', 'level', 'category', 'justification', 'approver', 'approved_at', 'expires_at', 'expired']),
    ...r.exceptions.map((e) => csvLine(['exception', e.accountId, e.userName, e.level, e.category ?? '', e.justification ?? '', e.approver ?? '', e.approvedAt ?? '', e.expiresAt ?? '', String(e.expired)])),
    '',
    csvLine(['section', 'account_id', 'user_name', 'level', 'category', 'reason', 'decided_by']),
    ...r.outOfScope.map((o) => csvLine(['out-of-scope', o.accountId, o.userName, o.level, o.category ?? '', o.reason ?? '', o.decidedBy ?? ''])),
    '',
    csvLine(['section', 'account_id', 'user_name', 'mfa_state', 'flags', 'category', 'cohort', 'deadline', 'program_gap', 'remediation', 'remediation_text', 'flag_evidence', 'notes']),
    ...r.gaps.map((g) =>
      csvLine(['gap', g.accountId, g.userName, g.mfaState, g.flags.join(' '), g.category ?? '', g.cohort ?? '', g.deadline ?? '', g.programGap, g.remediation, g.remediationText, flagEvidenceText(g.flagEvidence), g.notes.join(' ')]),
    ),
    '',
    csvLine(['section', 'account_id', 'user_name', 'device_type', 'serial', 'enrolled_at', 'test', 'passed', 'tested_at']),
    ...r.signInTests.map((t) =>
      csvLine(['sign-in-test', t.accountId, t.userName, t.deviceType, t.serial, new Date(t.enrolledAt).toISOString(), t.test?.kind ?? 'not tested', t.test ? String(t.test.passed) : '', t.test ? new Date(t.test.at).toISOString() : '', t.test?.source ?? '']),
    ),
    '',
    csvLine(['section', 'device_type']),
    ...r.untestedDeviceTypes.map((t) => csvLine(['untested-device-type', t])),
    '',
    csvLine(['section', 'account_id', 'reason']),
    ...r.unreachableAccounts.map((u) => csvLine(['unreachable-account', u.accountId, u.reason ?? ''])),
  ]);
}
