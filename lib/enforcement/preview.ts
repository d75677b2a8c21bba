import 'server-only';
import { listManagedAccounts } from '@/lib/accounts/registry';
import { getAccountsState } from '@/lib/accounts/status';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getDb } from '@/lib/db/client';
import { plural } from '@/lib/format';
import { explain, readAccount, sameDocument, type AccountPolicyState } from './account-state';
import { MAX_POLICIES_PER_GROUP, memberIndex, retiredDocument } from './policy-set';
import { policyArn } from '@/lib/iam-identifiers';
import { lineDiff, prettyPolicy, type DiffLine } from './diff';
import { deniedUsers, denialOf, type DeniedUser, type ImpactUser } from './impact';
import { impactRows, portalUser } from './impact-rows';
import { policyDate, policyJson } from './policy';
import { generate, loadEnforcementProgram, type GeneratedPolicy } from './program';

/** A policy of the set as a deploy leaves it in one account: the generated document, or the tag guard alone once retired. */
export type DesiredMember = { name: string; arn: string; json: string; exists: boolean; upToDate: boolean; retired: boolean };

export type AccountPreview = AccountPolicyState & { desired: DesiredMember[]; diff: DiffLine[]; upToDate: boolean };

export type Preview = {
  generated: GeneratedPolicy;
  pretty: string;
  accounts: AccountPreview[];
  denied: DeniedUser[];
  /**
   * Accounts whose users the impact cannot count: the member role could not be assumed at the last inventory run
   * (no stored users), or the account could not be read now. Their users are unknown, never "nobody".
   */
  unknownAccounts: { accountId: string; label: string }[];
  blockers: string[];
};

const names = (users: readonly { accountId: string; userName: string }[]) => users.slice(0, 5).map((d) => `${d.accountId}/${d.userName}`).join(', ') + (users.length > 5 ? ', …' : '');

/** Why a deploy must not happen now; empty when it may. */
async function blockersFor(generated: GeneratedPolicy, accounts: AccountPreview[], users: ImpactUser[]): Promise<string[]> {
  const { program } = generated;
  const blockers: string[] = [];
  if (!generated.size.ok) blockers.push(generated.size.message);
  for (const a of accounts)
    for (const g of a.groups) {
      if (!g.exists || a.desired.length + g.others.length <= MAX_POLICIES_PER_GROUP) continue;
      blockers.push(
        `In ${a.label} (${a.accountId}) the group ${g.name} has ${plural(g.others.length, 'other managed policy', 'other managed policies')} attached and the enforcement needs ${plural(a.desired.length, 'policy', 'policies')}: IAM attaches at most ${MAX_POLICIES_PER_GROUP} to a group. Detach policies from it, or merge cohorts.`,
      );
    }
  // An exception is what mfa-exempt=true stands for: the tag must be on before a policy can deny them either way. Key
  // use is counted whatever the inventory says: it records a key's last use, not that none exists, and the fix (apply
  // the tags) is cheap.
  const exceptions = users
    .filter((u) => u.activeException && denialOf(u, program, true))
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName));
  if (exceptions.length) {
    blockers.push(
      `It would deny ${plural(exceptions.length, 'user')} with an approved exception (${names(exceptions)}): apply the tag reconciliation first so they carry mfa-exempt=true (those with an MFA device too: their calls with access keys would be denied).`,
    );
  }
  // The portal's own identity, when it is an IAM user in an enforced group: it signs every call with long-term keys and
  // never with MFA, so an MFA device does not help it; denied, the portal can no longer reach any account, not even to
  // roll back.
  try {
    const me = await portalUser();
    const self = me && users.find((u) => u.accountId === me.accountId && u.userName === me.userName);
    const denial = self && denialOf(self, program, true);
    if (self && denial) {
      blockers.push(
        `It would deny the portal’s own identity (${self.accountId}/${self.userName}, in ${self.groups.filter((g) => program.groups.includes(g)).join(', ')}) from ${policyDate(denial.from)}: it calls AWS with access keys and no MFA, so take it out of the enforced group or exempt it.`,
      );
    }
  } catch (error) {
    blockers.push(`Could not check the portal’s own identity: ${explain(error)}`);
  }
  return blockers;
}

/** The set as one text, each policy under its name: what the page shows and diffs. */
export const setText = (members: readonly { name: string; json: string | null }[]) =>
  members
    .filter((m) => m.json !== null)
    .map((m) => `# ${m.name}\n${prettyPolicy(m.json)}`)
    .join('\n\n');

/**
 * What a deploy leaves in the account: every generated policy, and every other policy of the set that exists there
 * (the set shrank) holding only the tag guard, stamped with the same set id.
 */
export function desiredMembers(a: AccountPolicyState, generated: GeneratedPolicy): DesiredMember[] {
  const { program, members, id } = generated;
  const byName = new Map(a.members.map((m) => [m.name, m]));
  const retired = id === null ? [] : a.members.filter((m) => (memberIndex(program.policyName, m.name) ?? 0) >= members.length);
  return [
    ...members.map((m) => ({ name: m.name, json: m.json, retired: false })),
    ...retired.map((m) => ({ name: m.name, json: policyJson(retiredDocument(program.portalRoleName, id!)), retired: true })),
  ].map((d) => {
    const have = byName.get(d.name);
    const arn = policyArn(a.accountId, program.policyPath, d.name);
    return { ...d, arn, exists: Boolean(have), upToDate: Boolean(have) && sameDocument(have!.deployedJson, d.json) };
  });
}

/** The policy set the program generates, its diff against each account's deployed default versions, and who it would deny. */
export async function previewEnforcement(actor: Actor): Promise<Preview> {
  assertRole(actor.roles, 'security', 'the enforcement preview');
  const program = await loadEnforcementProgram(await getDb());
  const generated = generate(program);
  const pretty = setText(generated.members);
  const [read, users, state] = await Promise.all([Promise.all((await listManagedAccounts()).map((a) => readAccount(a.id, a.label, program))), impactRows(), getAccountsState(actor)]);
  const unreachable = new Set(state.unreachable.map((u) => u.id));
  const accounts = read.map((a): AccountPreview => {
    const desired = desiredMembers(a, generated);
    const deployed = setText(desired.map((d) => ({ name: d.name, json: a.members.find((m) => m.name === d.name)?.deployedJson ?? null })));
    return { ...a, desired, diff: lineDiff(deployed, setText(desired)), upToDate: desired.length > 0 && desired.every((d) => d.upToDate) };
  });
  const denied = deniedUsers(users, program);
  const unknownAccounts = accounts.filter((a) => a.error || unreachable.has(a.accountId)).map((a) => ({ accountId: a.accountId, label: a.label }));
  return { generated, pretty, accounts, denied, unknownAccounts, blockers: await blockersFor(generated, accounts, users) };
}
