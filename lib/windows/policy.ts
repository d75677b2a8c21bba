/**
 * The window policy and tag (issue 15; /work/shared design "per-user time windows"): pure. A user with a window has the
 * tag `mfa-window` = its end and a window policy attached that denies everything but MFA self-service without MFA
 * after that end; the cohort statements skip users with the tag (policy.ts cohortStatements), so the window decides.
 * One policy per end date, shared by every user with that end in an account.
 */
import { EXEMPT_TAG, policyDate, SELF_SERVICE_ACTIONS, WINDOW_TAG, type PolicyDocument } from '@/lib/enforcement/policy';

export { WINDOW_TAG };
/** IAM policy names hold at most 128 characters. */
export const IAM_POLICY_NAME_MAX = 128;
const SUFFIX = /-until-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/;

/** A window ends on a whole minute (extensions and new-user windows at 00:00 UTC of a day, graces at the minute). */
export const isWholeMinute = (d: Date) => d.getTime() % 60_000 === 0;

/** `2026-12-07T14:00Z`: the mfa-window tag's value (IAM tag values allow `:`). */
export const windowTagValue = (end: Date) => end.toISOString().slice(0, 16) + 'Z';

/** The tag's value back as a date; null when it is not one this module writes. */
export function parseWindowTag(value: string | undefined | null): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/.test(value)) return null;
  const d = new Date(value.replace('Z', ':00Z'));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `<base>-until-20261207T1400Z` */
export function windowPolicyName(base: string, end: Date): string {
  const iso = end.toISOString();
  return `${base}-until-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

/** The end a window policy's name states, or null when the name is not `<base>-until-…`. */
export function windowEndOfPolicyName(base: string, name: string): Date | null {
  if (!name.startsWith(`${base}-until-`)) return null;
  const m = SUFFIX.exec(name);
  if (!m || name.length !== base.length + '-until-YYYYMMDDTHHMMZ'.length) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The ARN pattern every window policy of the portal matches (the deploy role's grants, infra/aws). */
export const windowPolicyNamePattern = (base: string) => `${base}-until-*`;

export const windowSid = 'DenyWithoutMfaAfterWindow';

/**
 * The window policy: one Deny of everything but self-service without MFA after `end`, unless exempt. Attached to the
 * user; it applies whether or not the tag is there (a user left with the policy and no tag is under both: stricter).
 */
export function windowDocument(end: Date): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: windowSid,
        Effect: 'Deny',
        NotAction: [...SELF_SERVICE_ACTIONS],
        Resource: '*',
        Condition: {
          BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
          DateGreaterThan: { 'aws:CurrentTime': policyDate(end) },
          StringNotEqualsIfExists: { [`aws:PrincipalTag/${EXEMPT_TAG}`]: 'true' },
        },
      },
    ],
  };
}

/** 00:00 UTC of the day after `d` unless `d` is that already: extensions and new-user windows end on a day boundary, never earlier than asked. */
export function endOfDayUtc(d: Date): Date {
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return new Date(day === d.getTime() ? day : day + 86_400_000);
}

/** 00:00 UTC of the day of `d` (at most `d`): a window "creation + N days" ends at the latest midnight not after it. */
export function startOfDayUtc(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}
