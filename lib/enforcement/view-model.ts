/**
 * What each section of the enforcement page shows, from the loaded preview and tag report: counts, groups, cohorts,
 * warnings and each account's pending change. Pure, so the page's rules are tested without rendering it.
 */
import type { AccountPreview } from './preview';
import { diffCounts } from './diff';
import { plural } from '@/lib/format';
import type { DeniedUser, TagChange } from './impact';
import type { EnforcementProgram } from './program';

/** Rows of the drift report and of each impact group shown before "and N more". */
export const DRIFT_ROWS = 200;
export const IMPACT_ROWS = 50;

type UserRef = { accountId: string; userName: string };

/** Account id -> its label from the configuration. */
export type AccountLabels = ReadonlyMap<string, string>;

/** The admin page of one IAM user. */
export const userHref = (u: UserRef) => `/admin/users/${u.accountId}/${encodeURIComponent(u.userName)}`;

export type CohortRow = { cohort: string; deadline: Date; isDefault: boolean; deniedEverything: number; deniedKeys: number };

/** The program's cohorts by deadline (then name), with how many users each would deny, of either kind. */
export function cohortRows(program: Pick<EnforcementProgram, 'cohorts' | 'defaultCohort'>, denied: readonly DeniedUser[]): CohortRow[] {
  const counts = new Map<string, { everything: number; keys: number }>();
  for (const d of denied) {
    const n = counts.get(d.cohort) ?? { everything: 0, keys: 0 };
    if (d.denied === 'everything') n.everything++;
    else n.keys++;
    counts.set(d.cohort, n);
  }
  return [...program.cohorts]
    .sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || a.cohort.localeCompare(b.cohort))
    .map((c) => ({ cohort: c.cohort, deadline: c.deadline, isDefault: c.cohort === program.defaultCohort, deniedEverything: counts.get(c.cohort)?.everything ?? 0, deniedKeys: counts.get(c.cohort)?.keys ?? 0 }));
}

/** The tag changes to list (the first `limit`), how many are left out, and how many IAM users they touch. */
export function driftSummary(changes: readonly TagChange[], limit = DRIFT_ROWS): { users: number; shown: TagChange[]; hidden: number } {
  const shown = changes.slice(0, limit);
  return { users: new Set(changes.map((c) => `${c.accountId}/${c.userName}`)).size, shown, hidden: changes.length - shown.length };
}

export type ImpactGroup = { from: Date; cohort: string; users: DeniedUser[] };

/** Denied users grouped by the date they are denied from and their cohort, earliest first. */
export function groupDenied(denied: readonly DeniedUser[]): ImpactGroup[] {
  const groups = new Map<string, ImpactGroup>();
  for (const d of denied) {
    const key = `${d.from.toISOString()} ${d.cohort}`;
    const g = groups.get(key) ?? { from: d.from, cohort: d.cohort, users: [] };
    g.users.push(d);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.from.getTime() - b.from.getTime() || a.cohort.localeCompare(b.cohort));
}

export type ImpactView = {
  everything: ImpactGroup[];
  keys: ImpactGroup[];
  deniedEverything: number;
  deniedKeys: number;
  /** Denied users with an approved exception: deploying is blocked until their tags exempt them. */
  exceptions: number;
  /** Denied users the program does not require MFA of. */
  outOfScope: number;
  /** Accounts whose users are unknown (unreachable): the counts above leave them out. */
  unknownAccounts: readonly { accountId: string; label: string }[];
  /** Whether "nobody is denied everything" may be said: no one denied, and no account unknown. */
  nobodyDenied: boolean;
};

/** The impact section: both kinds of denial, grouped, and the counts its warnings speak of. */
export function impactView(denied: readonly DeniedUser[], unknownAccounts: readonly { accountId: string; label: string }[] = []): ImpactView {
  const everything = denied.filter((d) => d.denied === 'everything');
  const keys = denied.filter((d) => d.denied === 'access-keys');
  return {
    everything: groupDenied(everything),
    keys: groupDenied(keys),
    deniedEverything: everything.length,
    deniedKeys: keys.length,
    exceptions: denied.filter((d) => d.activeException).length,
    outOfScope: denied.filter((d) => d.outOfScope).length,
    unknownAccounts,
    nobodyDenied: everything.length === 0 && unknownAccounts.length === 0,
  };
}

export type AccountStatus = { tone: 'good' | 'bad' | 'neutral' | 'info'; text: string };

/** One account's policy in a badge: unreadable, not deployed, up to date, or how much a deploy changes. */
export function accountStatus(a: AccountPreview): AccountStatus {
  if (a.error) return { tone: 'bad', text: 'could not be read' };
  if (!a.exists) return { tone: 'neutral', text: 'not deployed' };
  if (a.upToDate) return { tone: 'good', text: 'up to date' };
  const { added, removed } = diffCounts(a.diff);
  return { tone: 'info', text: `will change: +${added} −${removed} lines` };
}

/** The retained version the next deploy deletes to make room (IAM keeps `max`); null when it deletes none. */
export function versionToPrune(a: AccountPreview, max: number): string | null {
  if (a.upToDate || a.versions.length < max) return null;
  return a.versions.find((v) => !v.isDefault)?.versionId ?? null;
}

/** What a deploy would do in a readable account, in words; null when nothing. */
export function pendingChange(a: AccountPreview): string | null {
  const attach = a.groups.filter((g) => g.exists && !g.attached).map((g) => g.name);
  const attachText = attach.length ? `attach to ${attach.join(', ')}` : '';
  const set = a.desired.length;
  if (!a.exists) return [set > 1 ? `create the ${set} policies of the set` : 'create the policy', attachText].filter(Boolean).join(', then ');
  if (!a.upToDate) {
    const { added, removed } = diffCounts(a.diff);
    if (set <= 1) return [`new default version (+${added} −${removed} lines)`, attachText].filter(Boolean).join(', then ');
    const updated = a.desired.filter((d) => d.exists && !d.upToDate).length;
    const created = a.desired.filter((d) => !d.exists).length;
    const what = [updated ? `new default version of ${plural(updated, 'policy', 'policies')}` : '', created ? `create ${plural(created, 'policy', 'policies')}` : ''].filter(Boolean).join(', ');
    return [`${what} (+${added} −${removed} lines over the set of ${set})`, attachText].filter(Boolean).join(', then ');
  }
  return attachText || null;
}

export type AccountRef = { accountId: string; label: string };
/** An account the deploy would change, and how, in words ("create the policy", "new version: +1 -1 lines"). */
export type PendingAccount = AccountRef & { change: string };

/** The deploy section: every account, those a deploy changes (and how), and those that could not be read. */
export function deployView(accounts: readonly AccountPreview[]): { accounts: AccountRef[]; pending: PendingAccount[]; unreadable: AccountRef[] } {
  const ref = (a: AccountPreview): AccountRef => ({ accountId: a.accountId, label: a.label });
  const pending: PendingAccount[] = [];
  for (const a of accounts) {
    const change = a.error ? null : pendingChange(a);
    if (change) pending.push({ ...ref(a), change });
  }
  return { accounts: accounts.map(ref), pending, unreadable: accounts.filter((a) => a.error).map(ref) };
}
