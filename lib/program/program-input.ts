/**
 * Form input for categories and decisions: parsed, never trusted. Pure (the clock is passed in), so every rule
 * has a unit test; the domain adds what needs the database (unique names, managed accounts, existing users).
 */
import { z } from 'zod';
import { freeText } from '@/lib/actions/free-text';
import { DECISIONS, DEVICE_TYPES, SELECTOR_KINDS, type Decision } from '@/lib/db/schema';
import { ACCOUNT_ID, IAM_GROUP_NAME } from '@/lib/iam-identifiers';
import type { ProgramCategory } from './resolve';

const DAY_MS = 86_400_000;
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const checked = (v: unknown) => v === 'on' || v === 'true' || v === '1';

export const IAM_PATH_PREFIX = /^\/([\x21-\x2e\x30-\x7e]+\/)*$/;
/** IAM tag keys: letters, digits, spaces and _.:/=+-@ (1-128); values the same (0-256). */
export const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
export const COHORT = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** "2026-12-31" (a date) -> that day's start in UTC; "2026-12-31T18:00" (datetime-local, read as UTC) -> that minute. */
export function parseUtc(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00'] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)));
  // Rejects 2026-02-30 and 25:00, which Date.UTC would roll over.
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d) || date.getUTCHours() !== Number(h) || date.getUTCMinutes() !== Number(mi)) return null;
  return date;
}

/** One year from `now` on the calendar (the longest an exception may run). */
export function oneYearFrom(now: Date): Date {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d;
}

const EXPIRY_MISSING = 'Give the date the exception ends (at most a year from today).';

/** Null when an exception may end at `d`: after now and at most a year away. */
function expiryProblem(d: Date, now: Date): string | null {
  if (d.getTime() <= now.getTime()) return 'The end date must be after today.';
  if (d.getTime() > oneYearFrom(now).getTime()) return 'An exception may last at most a year: choose an earlier end date and review it then.';
  return null;
}

/** An exception's expiry: a date, after today, at most a year away; it ends at the start of that day (UTC). */
function expirySchema(now: Date) {
  return z
    .string({ error: EXPIRY_MISSING })
    .trim()
    .min(1, EXPIRY_MISSING)
    .transform((v, ctx) => {
      const d = parseUtc(v);
      const problem = d ? expiryProblem(d, now) : 'Enter the date as YYYY-MM-DD.';
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return d!;
    });
}

const justification = freeText().trim().min(10, 'Say why, in at least 10 characters (auditors read this).').max(1000, 'Keep it to 1,000 characters.');
const decisionNote = freeText().trim().max(1000, 'Keep it to 1,000 characters.');
const outOfScopeReason = freeText().trim().min(5, 'Give the reason, e.g. "to be removed on 31 Jan".').max(1000, 'Keep it to 1,000 characters.');

/**
 * A category as the form sets it. A default of "exception" is never typed: its justification, end date and approver
 * come from an approved category-wide request (exception-requests.ts); saveCategory keeps them, or refuses a new one.
 */
export type CategoryInput = Omit<ProgramCategory, 'id' | 'position' | 'approver'>;

/** A category-wide exception as its approval wrote it (the form cannot change it); any other default has no approver. */
export const keptException = (input: CategoryInput, stored: Pick<ProgramCategory, 'defaultDecision' | 'reason' | 'approver' | 'expiresAt'> | undefined) =>
  input.defaultDecision === 'exception' && stored?.defaultDecision === 'exception' ? { reason: stored.reason, approver: stored.approver, expiresAt: stored.expiresAt } : { approver: null };

type Issue = (path: string, message: string) => void;

/**
 * What a decision of exception or out of scope must carry: an exception its justification and an end date within a
 * year (its approver is the identity of the admin who approves the request, never typed); out of scope its reason.
 * The same rules for a category's default and for one user's decision.
 */
function decisionDetails(decision: Decision | undefined, v: { reason?: string; expiresAt?: string }, now: Date, issue: Issue) {
  const out = { reason: null as string | null, expiresAt: null as Date | null };
  const take = <T>(field: string, r: z.ZodSafeParseResult<T>): T | null => {
    if (r.success) return r.data;
    issue(field, r.error.issues[0]!.message);
    return null;
  };
  if (decision === 'exception') {
    out.reason = take('reason', justification.safeParse(v.reason ?? ''));
    out.expiresAt = take('expiresAt', expirySchema(now).safeParse(v.expiresAt ?? ''));
  } else if (decision === 'out-of-scope') {
    out.reason = take('reason', outOfScopeReason.safeParse(v.reason ?? ''));
  }
  return out;
}

export function categoryInputSchema(now: Date) {
  return z
    .object({
      name: freeText().trim().min(1, 'Name the category, e.g. Production administrators.').max(80, 'Keep the name to 80 characters.'),
      selectorKind: z.enum(SELECTOR_KINDS, { error: 'Choose what selects the users: IAM group, tag, path prefix or account.' }),
      selectorKey: z.preprocess(blank, freeText().trim().optional()),
      selectorValue: z.preprocess(blank, freeText({ error: 'Give the value to match.' }).trim()),
      defaultDecision: z.enum(DECISIONS, { error: 'Choose the default decision.' }),
      allow_virtual: z.preprocess(checked, z.boolean()),
      allow_hardware: z.preprocess(checked, z.boolean()),
      allow_fido: z.preprocess(checked, z.boolean()),
      backupRequired: z.preprocess(checked, z.boolean()),
      requireCertifiedKey: z.preprocess(checked, z.boolean()),
      deadline: z.string({ error: 'Give the deadline (UTC).' }).trim().min(1, 'Give the deadline (UTC).'),
      cohort: z.string({ error: 'Give the cohort name enforcement will use, e.g. prod-admins.' }).trim().toLowerCase(),
      reason: z.preprocess(blank, freeText().trim().optional()),
    })
    .transform((v, ctx): CategoryInput => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      let selectorKey: string | null = null;
      switch (v.selectorKind) {
        case 'group':
          if (!IAM_GROUP_NAME.test(v.selectorValue)) issue('selectorValue', 'Enter an IAM group name (letters, digits and _+=,.@-, up to 128).');
          break;
        case 'tag':
          if (!v.selectorKey || !TAG_KEY.test(v.selectorKey)) issue('selectorKey', 'Enter the tag key, e.g. Environment.');
          else selectorKey = v.selectorKey;
          if (!TAG_VALUE.test(v.selectorValue)) issue('selectorValue', 'Enter the tag value (up to 256 letters, digits, spaces and _.:/=+-@).');
          break;
        case 'path':
          if (!IAM_PATH_PREFIX.test(v.selectorValue)) issue('selectorValue', 'Enter an IAM path prefix that starts and ends with /, e.g. /admins/.');
          break;
        case 'account':
          if (!ACCOUNT_ID.test(v.selectorValue)) issue('selectorValue', 'Enter a 12-digit account id.');
          break;
      }
      if (!COHORT.test(v.cohort)) issue('cohort', 'Use 1-64 lowercase letters, digits and hyphens, starting and ending with a letter or digit (e.g. prod-admins).');
      const allowedDeviceTypes = DEVICE_TYPES.filter((t) => v[`allow_${t}`]);
      if (allowedDeviceTypes.length === 0) issue('allowedDeviceTypes', 'Allow at least one device type.');
      else if (v.requireCertifiedKey && allowedDeviceTypes.some((t) => t !== 'fido'))
        issue('requireCertifiedKey', 'A certified key is a security key: allow only security keys or passkeys (phishing-resistant), or untick this.');
      const deadline = parseUtc(v.deadline);
      if (!deadline) issue('deadline', 'Enter the deadline as a date and time (UTC).');
      else if (deadline.getTime() > now.getTime() + 5 * 366 * DAY_MS) issue('deadline', 'That deadline is more than five years away: check the year.');
      // A category-wide exception keeps what its approved request set (saveCategory): nothing of it is typed here.
      const details = v.defaultDecision === 'exception' ? { reason: null, expiresAt: null } : decisionDetails(v.defaultDecision, v, now, issue);
      return {
        name: v.name,
        selectorKind: v.selectorKind,
        selectorKey,
        selectorValue: v.selectorValue,
        defaultDecision: v.defaultDecision,
        allowedDeviceTypes,
        minDevices: v.backupRequired ? 2 : 1,
        requireCertifiedKey: v.requireCertifiedKey,
        deadline: deadline ?? new Date(0),
        cohort: v.cohort,
        ...details,
      };
    });
}

export type DecisionInput = {
  /** null: the category its selector matches. */
  categoryId: number | null;
  /** null: the category's default decision. */
  decision: Decision | null;
  reason: string | null;
  expiresAt: Date | null;
};

export function decisionInputSchema(now: Date) {
  return z
    .object({
      categoryId: z.preprocess(blank, z.coerce.number({ error: 'Choose a category.' }).int().positive().optional()),
      decision: z.preprocess(blank, z.enum(DECISIONS, { error: 'Choose a decision.' }).optional()),
      reason: z.preprocess(blank, freeText().trim().optional()),
      expiresAt: z.preprocess(blank, z.string().trim().optional()),
    })
    .transform((v, ctx): DecisionInput => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      const out: DecisionInput = { categoryId: v.categoryId ?? null, decision: v.decision ?? null, ...decisionDetails(v.decision, v, now, issue) };
      if (v.decision === 'required' && v.reason) out.reason = v.reason.slice(0, 1000);
      return out;
    });
}

/**
 * The rules of decisionInputSchema, checked again on an input already parsed: the domain does not trust that its
 * caller used the form (an exception must not outlive a year whoever writes it). Null when the input keeps them.
 */
export function decisionProblems(input: Pick<DecisionInput, 'decision' | 'reason' | 'expiresAt'>, now: Date): Partial<Record<'reason' | 'expiresAt', string[]>> | null {
  const errors: Partial<Record<'reason' | 'expiresAt', string[]>> = {};
  const check = (field: 'reason', schema: z.ZodString, value: string | null) => {
    const r = schema.safeParse(value ?? '');
    if (!r.success) errors[field] = [r.error.issues[0]!.message];
  };
  if (input.decision === 'exception') {
    check('reason', justification, input.reason);
    const problem = input.expiresAt ? expiryProblem(input.expiresAt, now) : EXPIRY_MISSING;
    if (problem) errors.expiresAt = [problem];
  } else if (input.decision === 'out-of-scope') {
    check('reason', outOfScopeReason, input.reason);
  }
  return Object.keys(errors).length ? errors : null;
}

/** An exception request as the form sends it: the justification and the end date, under the rules of a decision. */
export type ExceptionRequestInput = { justification: string; expiresAt: Date };

export function exceptionRequestSchema(now: Date) {
  return z.object({ reason: freeText({ error: 'Say why, in at least 10 characters (auditors read this).' }).trim(), expiresAt: z.string({ error: EXPIRY_MISSING }) }).transform((v, ctx): ExceptionRequestInput => {
    const details = decisionDetails('exception', v, now, (path, message) => ctx.addIssue({ code: 'custom', path: [path], message }));
    return { justification: details.reason ?? '', expiresAt: details.expiresAt ?? new Date(0) };
  });
}

/** The domain's re-check of a request (whoever calls it): null when it keeps the rules. */
export const requestProblems = (r: ExceptionRequestInput, now: Date) => decisionProblems({ decision: 'exception', reason: r.justification, expiresAt: r.expiresAt }, now);

/** An admin's answer to a request: approve or reject, with a note (required to reject: the requester reads why). */
export const exceptionVerdictSchema = z
  .object({ verdict: z.enum(['approve', 'reject'], { error: 'Choose approve or reject.' }), note: z.preprocess(blank, decisionNote.optional()) })
  .superRefine((v, ctx) => {
    if (v.verdict === 'reject' && (v.note ?? '').length < 5) ctx.addIssue({ code: 'custom', path: ['note'], message: 'Say why it is rejected (at least 5 characters): the requester reads it.' });
  })
  .transform((v) => ({ verdict: v.verdict, note: v.note ?? null }));
export type ExceptionVerdict = z.output<typeof exceptionVerdictSchema>;

/**
 * Who may decide a request (the domain's rule, not the page's): an admin, on a request still pending, who did not ask
 * for it and does not own the IAM user it is for. Null when `actorId` may; otherwise the reason shown. Identities compare case-insensitively (emails).
 */
export function approvalRefusal(
  actor: { id: string; roles: readonly string[]; principals?: readonly { accountId: string; userName: string }[] },
  request: { requestedBy: string; status: string; accountId?: string | null; userName?: string | null },
): string | null {
  if (!actor.roles.includes('admin')) return 'Only an admin decides exception requests.';
  if (request.status !== 'pending') return `This request is already ${request.status}.`;
  if (actor.id.trim().toLowerCase() === request.requestedBy.trim().toLowerCase()) return 'You asked for this exception: another admin must approve or reject it.';
  // Nor for an IAM user of one's own (whoever asked): the exception would be theirs.
  if (actor.principals?.some((p) => p.accountId === request.accountId && p.userName === request.userName)) return 'This IAM user is yours: another admin must approve or reject it.';
  return null;
}
