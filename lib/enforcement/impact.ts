/**
 * Who the deployed policy would deny, from the stored inventory and the users' current tags. Pure. The policy denies
 * a request without MFA (aws:MultiFactorAuthPresent false or absent) from a user in an enforced group, not exempt by
 * tag, after their cohort's deadline. Two kinds of user are hit:
 * - 'everything': no MFA device. Console sign-ins cannot present MFA and access keys cannot get an MFA session:
 *   everything but the self-service set is denied.
 * - 'access-keys': an MFA device, but long-term access keys in use. Calls signed with the keys carry no MFA key, so
 *   they are denied too; the user must call sts:GetSessionToken with the device and use that session.
 */
import type { UserRef } from '@/lib/iam-identifiers';
import { COHORT_TAG, EXEMPT_TAG, type Cohort, WINDOW_TAG } from './policy';
import { parseWindowTag } from '@/lib/windows/policy';

export type ImpactUser = {
  accountId: string;
  userName: string;
  groups: string[];
  tags: Record<string, string>;
  devices: readonly unknown[];
  consoleAccess: boolean;
  /**
   * The later last use of the user's two access keys (credential report); null: neither was ever used. The inventory
   * keeps no more than that: not whether a key exists or is active. So it is the best evidence of key use we have:
   * a key used and since deleted still counts, a key never used (or created since the last inventory) does not.
   */
  accessKeyLastUsed: Date | null;
  /** From the program: an approved, unexpired exception (their own or their category's). */
  activeException: boolean;
  decision: 'required' | 'exception' | 'out-of-scope';
};

/** An approved exception that has not ended (the user's own or their category's): what mfa-exempt=true stands for. */
export const isActiveException = (r: { decision: string; exceptionExpired: boolean }) => r.decision === 'exception' && !r.exceptionExpired;

export type Denial = 'everything' | 'access-keys';

export type DeniedUser = UserRef & {
  cohort: string;
  from: Date;
  /** 'everything': no MFA device; 'access-keys': has one, but calls with long-term access keys need an MFA session. */
  denied: Denial;
  consoleAccess: boolean;
  activeException: boolean;
  outOfScope: boolean;
};

type ImpactProgram = { cohorts: readonly Cohort[]; defaultCohort: string | null; groups: readonly string[] };

/** IAM user tag keys ignore case: mfa-exempt and MFA-Exempt are the same tag. */
export function tagValue(tags: Record<string, string>, key: string): string | null {
  const k = Object.keys(tags).find((t) => t.toLowerCase() === key.toLowerCase());
  return k === undefined ? null : (tags[k] ?? null);
}

/**
 * The cohort whose statement takes the user, as the policy decides it: their mfa-cohort tag when it names one of the
 * program's cohorts (exactly: StringEquals), otherwise the default cohort (no tag, or a tag of a deleted category).
 */
export function cohortOf(tags: Record<string, string>, program: Pick<ImpactProgram, 'cohorts' | 'defaultCohort'>): string | null {
  const tagged = tagValue(tags, COHORT_TAG);
  return tagged !== null && program.cohorts.some((c) => c.cohort === tagged) ? tagged : program.defaultCohort;
}

/**
 * Whether and from when the policy would deny the user. `usesAccessKeys`: whether to count them as calling with
 * long-term access keys; by default the inventory's evidence (a key was used), but a caller that knows better (the
 * portal's own IAM user always signs with its keys) or must not guess (an exception) says true.
 */
export function denialOf(u: ImpactUser, program: ImpactProgram, usesAccessKeys: boolean = u.accessKeyLastUsed !== null): DeniedUser | null {
  if (!u.groups.some((g) => program.groups.includes(g))) return null;
  // The policy compares the exemption exactly (StringNotEqualsIfExists "true").
  if (tagValue(u.tags, EXEMPT_TAG) === 'true') return null;
  const cohort = cohortOf(u.tags, program);
  // A user with a window (mfa-window tag) is skipped by the cohort statements: the window policy attached to them
  // denies from its end (lib/windows). A tag that is not a window end is drift the window job repairs: not counted.
  const windowTag = tagValue(u.tags, WINDOW_TAG);
  const from = windowTag !== null ? parseWindowTag(windowTag) : program.cohorts.find((c) => c.cohort === cohort)?.deadline;
  if (cohort === null || !from) return null;
  const denied: Denial | null = u.devices.length === 0 ? 'everything' : usesAccessKeys ? 'access-keys' : null;
  if (!denied) return null;
  return { accountId: u.accountId, userName: u.userName, cohort, from, denied, consoleAccess: u.consoleAccess, activeException: u.activeException, outOfScope: u.decision === 'out-of-scope' };
}

/** Everyone the policy would deny (either kind), by date, account and name. */
export function deniedUsers(users: readonly ImpactUser[], program: ImpactProgram): DeniedUser[] {
  const out = users.map((u) => denialOf(u, program)).filter((d): d is DeniedUser => d !== null);
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
