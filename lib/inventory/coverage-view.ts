/**
 * Pure rules for what a gap is and what to do about it; shared by the dashboard, the users table, the user detail
 * page and the report. Scope and compliance come from the enrollment program (the `program_users` view, or
 * lib/program/resolve.ts): a gap is an in-scope user who does not meet their category's device rules.
 */
import type { Decision, DeviceType } from '@/lib/db/schema';
import { allowedTypesText, programGapText, type ProgramGap } from '@/lib/program/resolve';
import { formatDate } from '@/lib/format';
import type { FlagEvidence } from './classify';

export type InventoryRowLike = {
  consoleAccess: boolean;
  mfaState: 'enabled' | 'none' | 'leftover-only';
  flags: string[];
  /** Why each flag was raised (classify.ts); absent on rows read before migration 0011 or from old reports. */
  flagEvidence?: FlagEvidence[];
  /** null when the user is out of scope or compliant. */
  programGap: ProgramGap | null;
  allowedDeviceTypes: DeviceType[];
  minDevices: number;
  decision: Decision;
  exceptionExpired: boolean;
  expiresAt: Date | string | null;
};

export type Remediation = 'enroll' | 're-enroll' | 'remove-console-password' | 'confirm-stale-console' | 'enroll-allowed-type' | 'enroll-certified-key' | 'add-backup';

/** One sentence per remediation; `remediationSentence` adds what depends on the user's category. */
export const remediationText: Record<Remediation, string> = {
  enroll: 'Enroll an MFA device (the owner signs in to the portal).',
  're-enroll': 'Finish enrollment: a set-up was started but never completed. The owner enrolls again; the leftover is cleaned up.',
  'remove-console-password': 'Marked as a service user, yet it has a console password: remove the password (login profile) instead of adding MFA.',
  'confirm-stale-console':
    'Console access looks unused: confirm with the owner whether they still need it. If not, remove the console password (or the user); if they do, they enroll an MFA device.',
  'enroll-allowed-type': 'Enroll a device of an allowed type; the current device type is not allowed in this category.',
  'enroll-certified-key':
    'Register a certified security key (FIDO certified, or FIPS 140-2/140-3 validated) in the AWS console: this category counts only keys AWS reports a certification for, and the current key or passkey has none.',
  'add-backup': 'Add a backup device: this category requires two.',
};

/** Sentences of remediations that earlier versions stored in reports, so old reports still read. */
const legacyRemediationText: Record<string, string> = {
  'remove-stale-user': 'Console access unused for 90 days or never: remove the console password, or the user.',
};
export const storedRemediationText = (code: string) => (remediationText as Record<string, string>)[code] ?? legacyRemediationText[code] ?? code;

export const isGap = (row: Pick<InventoryRowLike, 'programGap'>) => row.programGap !== null;

export function remediationFor(row: InventoryRowLike): Remediation | null {
  if (!isGap(row)) return null;
  // Only a user the organisation marks as a service user: a password nobody should have is removed rather than
  // protected. A name or key-use pattern is a hint (possible-service-user), never this.
  if (row.flags.includes('service-with-console')) return 'remove-console-password';
  switch (row.programGap) {
    case 'disallowed-type':
      return 'enroll-allowed-type';
    case 'not-certified':
      return 'enroll-certified-key';
    case 'needs-backup':
      return 'add-backup';
    default:
      if (row.mfaState === 'leftover-only') return 're-enroll';
      if (row.flags.includes('stale-console')) return 'confirm-stale-console';
      return 'enroll';
  }
}

/** "The approved exception expired on 1 Mar 2026: MFA is required again." — null unless it expired. */
export function expiredExceptionNote(row: Pick<InventoryRowLike, 'exceptionExpired' | 'expiresAt'>): string | null {
  if (!row.exceptionExpired) return null;
  return row.expiresAt ? `The approved exception expired on ${formatDate(new Date(row.expiresAt))}: MFA is required again.` : 'The approved exception expired: MFA is required again.';
}

/** The remediation as a sentence for this user: the allowed types, the backup count, the stale evidence, an expired exception. */
export function remediationSentence(
  fix: Remediation,
  row: Pick<InventoryRowLike, 'allowedDeviceTypes' | 'minDevices' | 'exceptionExpired' | 'expiresAt'> & Partial<Pick<InventoryRowLike, 'flagEvidence'>>,
): string {
  const stale = fix === 'confirm-stale-console' ? row.flagEvidence?.find((e) => e.flag === 'stale-console') : undefined;
  const text =
    fix === 'enroll-allowed-type'
      ? `Enroll a device of an allowed type: ${allowedTypesText(row.allowedDeviceTypes)}; the current device type is not allowed in this category.`
      : fix === 'add-backup'
        ? row.minDevices === 2
          ? remediationText['add-backup']
          : `Add a backup device: this category requires ${row.minDevices} devices of an allowed type.`
        : stale
          ? `Console access unused (${stale.facts}): confirm with the owner whether they still need it. If not, remove the console password (or the user); if they do, they enroll an MFA device.`
          : remediationText[fix];
  const note = expiredExceptionNote(row);
  return note ? `${text} ${note}` : text;
}

/** What the portal says about one user, in every place (status line, banner, gap lists, report, exports). */
export type UserStatus = 'compliant' | 'gap' | 'exception' | 'out-of-scope' | 'no-console';

/** The one rule for a user's status: the page, the gap list, the report, the exports and `npm run report` use it. */
export function userStatusOf(row: Pick<InventoryRowLike, 'programGap' | 'consoleAccess' | 'decision' | 'exceptionExpired'>): UserStatus {
  if (isGap(row)) return 'gap';
  if (!row.consoleAccess) return 'no-console';
  if (row.decision === 'out-of-scope') return 'out-of-scope';
  return row.decision === 'exception' && !row.exceptionExpired ? 'exception' : 'compliant';
}

export type UserVerdict = {
  status: UserStatus;
  /** The status line, e.g. "Gap: No MFA device". */
  statusText: string;
  remediation: Remediation | null;
  /** The advice as a sentence; null when there is nothing to do. */
  advice: string | null;
  /** Informational notes from the flags, each with its evidence: a service-user hint, "not signed in yet". */
  notes: string[];
};

export const userStatusText: Record<Exclude<UserStatus, 'gap'>, string> = {
  compliant: 'Compliant',
  exception: 'Exception in force: not in scope',
  'out-of-scope': 'Out of scope',
  'no-console': 'No console password: not in scope',
};

/** The one derivation of a user's status, advice and notes; the pages, the report and the exports all use it. */
export function userVerdict(row: InventoryRowLike): UserVerdict {
  const remediation = remediationFor(row);
  const status = userStatusOf(row);
  const statusText = status === 'gap' ? `Gap: ${programGapText[row.programGap!]}` : userStatusText[status];
  const evidence = (flag: string) => row.flagEvidence?.find((e) => e.flag === flag)?.facts;
  const notes: string[] = [];
  if (row.flags.includes('possible-service-user')) {
    const why = evidence('possible-service-user');
    notes.push(
      `Possibly a service user${why ? `: ${why}` : ''}. If it is one, mark it as your organisation does (a tag, path or group in the settings) and remove its console password; until then it is treated as a person.`,
    );
  }
  if (row.flags.includes('not-signed-in-yet')) {
    const why = evidence('not-signed-in-yet');
    notes.push(`Not signed in yet${why ? `: ${why}` : ''}.`);
  }
  if (row.flags.includes('never-signed-in') && !row.flags.includes('stale-console')) {
    const why = evidence('never-signed-in');
    notes.push(`Never signed in to the console${why ? `: ${why}` : ''}.`);
  }
  return {
    status,
    statusText,
    remediation,
    advice: remediation ? remediationSentence(remediation, row) : expiredExceptionNote(row),
    notes,
  };
}

const DAY_MS = 24 * 3600_000;
const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/** A cohort's burndown in words: "12 remaining, 30 days left", "3 remaining, overdue by 2 days". */
export function burndownSummary(remaining: number, deadline: Date, now: Date): string {
  const ms = deadline.getTime() - now.getTime();
  const left = remaining === 0 ? 'none remaining' : `${remaining} remaining`;
  if (ms >= 0) return `${left}, ${ms < DAY_MS ? 'less than a day' : days(Math.ceil(ms / DAY_MS))} left`;
  const overdue = Math.floor(-ms / DAY_MS);
  if (remaining === 0) return `${left}; the deadline passed ${overdue === 0 ? 'today' : `${days(overdue)} ago`}`;
  return `${left}, ${overdue === 0 ? 'deadline passed today' : `overdue by ${days(overdue)}`}`;
}

/** Where users no category selects are counted per cohort and category (snapshots, dashboard, report). */
export const NO_CATEGORY = '(no category)';

export const coveragePct = (compliant: number, inScope: number) => (inScope === 0 ? 100 : Math.round((compliant / inScope) * 1000) / 10);
