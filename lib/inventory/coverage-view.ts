/** Pure rules for what a gap is and what to do about it; shared by the dashboard, the users table and the report. */

export type InventoryRowLike = {
  consoleAccess: boolean;
  mfaState: 'enabled' | 'none' | 'leftover-only';
  flags: string[];
};

export type Remediation = 'enroll' | 're-enroll' | 'remove-console-password' | 'remove-stale-user';

export const remediationText: Record<Remediation, string> = {
  enroll: 'Enroll an MFA device (the owner signs in to the portal).',
  're-enroll': 'Finish enrollment: a set-up was started but never completed. The owner enrolls again; the leftover is cleaned up.',
  'remove-console-password': 'Service or automation user with a console password: remove the password (login profile) instead of adding MFA.',
  'remove-stale-user': 'Console access unused for 90 days or never: remove the console password, or the user.',
};

/** A console user without MFA is a gap (until the program adds exceptions and scope). */
export const isGap = (row: InventoryRowLike) => row.consoleAccess && row.mfaState !== 'enabled';

export function remediationFor(row: InventoryRowLike): Remediation | null {
  if (!isGap(row)) return null;
  if (row.flags.includes('service-with-console')) return 'remove-console-password';
  if (row.mfaState === 'leftover-only') return 're-enroll';
  if (row.flags.includes('stale-console')) return 'remove-stale-user';
  return 'enroll';
}

export const coveragePct = (withMfa: number, inScope: number) => (inScope === 0 ? 100 : Math.round((withMfa / inScope) * 1000) / 10);
