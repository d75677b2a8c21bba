/**
 * Who the deployed policy would deny, from the stored inventory and the users' current tags. Pure. A user is
 * denied from their cohort's deadline when they are in an enforced group, are not exempt by tag, and have no MFA
 * device (console users cannot present MFA; access-key users can only call the self-service set and
 * GetSessionToken).
 */
import { COHORT_TAG, EXEMPT_TAG, type Cohort } from './policy';

export type ImpactUser = {
  accountId: string;
  userName: string;
  groups: string[];
  tags: Record<string, string>;
  devices: readonly unknown[];
  consoleAccess: boolean;
  /** From the program: an approved, unexpired exception (their own or their category's). */
  activeException: boolean;
  decision: 'required' | 'exception' | 'out-of-scope';
};

/** An approved exception that has not ended (the user's own or their category's): what mfa-exempt=true stands for. */
export const isActiveException = (r: { decision: string; exceptionExpired: boolean }) => r.decision === 'exception' && !r.exceptionExpired;

export type DeniedUser = { accountId: string; userName: string; cohort: string; from: Date; consoleAccess: boolean; activeException: boolean; outOfScope: boolean };

/** IAM user tag keys ignore case: mfa-exempt and MFA-Exempt are the same tag. */
export function tagValue(tags: Record<string, string>, key: string): string | null {
  const k = Object.keys(tags).find((t) => t.toLowerCase() === key.toLowerCase());
  return k === undefined ? null : (tags[k] ?? null);
}

export function deniedUsers(users: readonly ImpactUser[], program: { cohorts: readonly Cohort[]; defaultCohort: string | null; groups: readonly string[] }): DeniedUser[] {
  const deadlines = new Map(program.cohorts.map((c) => [c.cohort, c.deadline]));
  const out: DeniedUser[] = [];
  for (const u of users) {
    if (!u.groups.some((g) => program.groups.includes(g))) continue;
    if (u.devices.length > 0) continue;
    // The policy compares the exemption exactly (StringNotEqualsIfExists "true").
    if (tagValue(u.tags, EXEMPT_TAG) === 'true') continue;
    const cohort = tagValue(u.tags, COHORT_TAG) ?? program.defaultCohort;
    const from = cohort === null ? undefined : deadlines.get(cohort);
    if (!cohort || !from) continue;
    out.push({ accountId: u.accountId, userName: u.userName, cohort, from, consoleAccess: u.consoleAccess, activeException: u.activeException, outOfScope: u.decision === 'out-of-scope' });
  }
  return out.sort((a, b) => a.from.getTime() - b.from.getTime() || a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName));
}

export type TagChange = { accountId: string; userName: string; key: typeof COHORT_TAG | typeof EXEMPT_TAG; actualKey: string | null; actual: string | null; desired: string | null };

/** The tags the program wants: the category's cohort, and mfa-exempt=true for an approved, unexpired exception. */
export function tagDrift(u: { accountId: string; userName: string; tags: Record<string, string>; cohort: string | null; activeException: boolean }): TagChange[] {
  const changes: TagChange[] = [];
  for (const [key, desired] of [
    [COHORT_TAG, u.cohort],
    [EXEMPT_TAG, u.activeException ? 'true' : null],
  ] as const) {
    const actualKey = Object.keys(u.tags).find((t) => t.toLowerCase() === key) ?? null;
    const actual = actualKey === null ? null : (u.tags[actualKey] ?? null);
    if (actual !== desired) changes.push({ accountId: u.accountId, userName: u.userName, key, actualKey, actual, desired });
  }
  return changes;
}
