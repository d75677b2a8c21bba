import 'server-only';
import { and, eq } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { programUsers } from '@/lib/db/schema';
import { auditedMutation, recordAudit, type MutationContext } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getEnv } from '@/lib/env';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { portalCallerIdentity } from '@/lib/aws/clients';
import { classifyAwsError } from '@/lib/aws/errors';
import { parsePrincipalArn } from '@/lib/aws/sts';
import {
  getManagedPolicy,
  getPolicyDocument,
  listAttachedGroupPolicyArns,
  listGroupUserNames,
  listPolicyVersions,
  policyArn,
  type PolicyVersion,
} from '@/lib/aws/policies';
import { attachGroupPolicy, createManagedPolicy, createPolicyVersion, deletePolicyVersion, setDefaultPolicyVersion } from '@/lib/aws/policy-writes';
import { diffText, lineDiff, prettyPolicy, type DiffLine } from './diff';
import { deniedUsers, denialOf, isActiveException, type DeniedUser, type ImpactUser } from './impact';
import { denialForKeyUser } from './lockout';
import { policyDate } from './policy';
import { generate, loadEnforcementProgram, type EnforcementProgram, type GeneratedPolicy } from './program';

/** IAM keeps five versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;

export type AccountPolicyState = {
  accountId: string;
  label: string;
  arn: string;
  exists: boolean;
  defaultVersionId: string | null;
  versions: PolicyVersion[];
  deployedJson: string | null;
  groups: { name: string; exists: boolean; attached: boolean }[];
  error: string | null;
};

const sameDocument = (a: string | null, b: string) => {
  if (a === null) return false;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
};

/** "v12" -> 12, for ordering versions when IAM gives no creation dates. */
const versionNumber = (v: PolicyVersion) => Number(v.versionId.replace(/^v/, '')) || 0;
const oldestFirst = (a: PolicyVersion, b: PolicyVersion) => (a.createdAt && b.createdAt ? a.createdAt.localeCompare(b.createdAt) : 0) || versionNumber(a) - versionNumber(b);

function explain(error: unknown): string {
  const { code, name } = classifyAwsError(error);
  if (code === 'Unknown') throw error;
  if (code === 'AccessDenied') return 'The member role is not allowed to manage the enforcement policy in this account (see infra/aws).';
  if (code === 'Throttled') return 'AWS is throttling requests; try again in a minute.';
  if (code === 'Unreachable' || code === 'ServiceFailure') return 'AWS could not be reached or failed; try again in a minute.';
  if (code === 'LimitExceeded') return 'IAM refused: a limit was reached (five policy versions, or ten managed policies on a group).';
  return `AWS refused: ${name}.`;
}

async function readAccount(accountId: string, label: string, program: EnforcementProgram): Promise<AccountPolicyState> {
  const arn = policyArn(accountId, program.policyPath, program.policyName);
  const base = { accountId, label, arn, exists: false, defaultVersionId: null, versions: [], deployedJson: null, groups: [], error: null };
  try {
    const policy = await getManagedPolicy(accountId, arn);
    const [versions, deployedJson, groups] = await Promise.all([
      policy ? listPolicyVersions(accountId, arn) : Promise.resolve([]),
      policy ? getPolicyDocument(accountId, arn, policy.defaultVersionId) : Promise.resolve(null),
      Promise.all(
        program.groups.map(async (name) => {
          const members = await listGroupUserNames(accountId, name);
          if (members === null) return { name, exists: false, attached: false };
          return { name, exists: true, attached: (await listAttachedGroupPolicyArns(accountId, name)).includes(arn) };
        }),
      ),
    ]);
    return { ...base, exists: policy !== null, defaultVersionId: policy?.defaultVersionId ?? null, versions: versions.sort(oldestFirst), deployedJson, groups };
  } catch (error) {
    return { ...base, error: explain(error) };
  }
}

export type Preview = {
  generated: GeneratedPolicy;
  pretty: string;
  accounts: (AccountPolicyState & { diff: DiffLine[]; upToDate: boolean })[];
  denied: DeniedUser[];
  blockers: string[];
};

async function impactRows(only?: { accountId: string; userName: string }): Promise<ImpactUser[]> {
  const db = await getDb();
  const rows = await db
    .select({
      accountId: programUsers.accountId,
      userName: programUsers.userName,
      groups: programUsers.groups,
      tags: programUsers.tags,
      devices: programUsers.devices,
      consoleAccess: programUsers.consoleAccess,
      accessKeyLastUsed: programUsers.accessKeyLastUsed,
      decision: programUsers.decision,
      exceptionExpired: programUsers.exceptionExpired,
    })
    .from(programUsers)
    .where(only ? and(eq(programUsers.accountId, only.accountId), eq(programUsers.userName, only.userName)) : undefined);
  return rows.map((r) => ({ ...r, activeException: isActiveException(r) }));
}

/** The portal's own identity when it is an IAM user (the only kind the policy, attached to groups, can deny). */
async function portalUser(): Promise<{ accountId: string; userName: string } | null> {
  const me = parsePrincipalArn((await portalCallerIdentity()).arn);
  return me.kind === 'user' ? { accountId: me.accountId, userName: me.userName } : null;
}

const names = (users: readonly { accountId: string; userName: string }[]) => users.slice(0, 5).map((d) => `${d.accountId}/${d.userName}`).join(', ') + (users.length > 5 ? ', …' : '');

/** Why a deploy must not happen now; empty when it may. */
async function blockersFor(generated: GeneratedPolicy, users: ImpactUser[]): Promise<string[]> {
  const { program } = generated;
  const blockers: string[] = [];
  if (!generated.size.ok) blockers.push(generated.size.message);
  // An exception is what mfa-exempt=true stands for: the tag must be on before a policy can deny them either way. Key
  // use is counted whatever the inventory says: it records a key's last use, not that none exists, and the fix (apply
  // the tags) is cheap.
  const exceptions = users
    .filter((u) => u.activeException && denialOf(u, program, true))
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName));
  if (exceptions.length) {
    blockers.push(
      `It would deny ${exceptions.length} user${exceptions.length === 1 ? '' : 's'} with an approved exception (${names(exceptions)}): apply the tag reconciliation first so they carry mfa-exempt=true (those with an MFA device too: their calls with access keys would be denied).`,
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

/** The policy the program generates, its diff against each account's deployed default version, and who it would deny. */
export async function previewEnforcement(actor: Actor): Promise<Preview> {
  assertRole(actor.roles, 'security', 'the enforcement preview');
  const program = await loadEnforcementProgram(await getDb());
  const generated = generate(program);
  const pretty = prettyPolicy(generated.json);
  const [accounts, users] = await Promise.all([Promise.all(getEnv().MFA_ACCOUNTS.map((a) => readAccount(a.id, a.label, program))), impactRows()]);
  const denied = deniedUsers(users, program);
  return {
    generated,
    pretty,
    accounts: accounts.map((a) => ({ ...a, diff: lineDiff(prettyPolicy(a.deployedJson), pretty), upToDate: sameDocument(a.deployedJson, generated.json) })),
    denied,
    blockers: await blockersFor(generated, users),
  };
}

export type DeployOutcome = { accountId: string; status: 'created' | 'updated' | 'unchanged' | 'failed'; versionId: string | null; deletedVersion: string | null; attached: string[]; missingGroups: string[]; error: string | null };

/**
 * Deploys the generated policy to every managed account: CreatePolicy the first time, then CreatePolicyVersion as
 * default (deleting the oldest non-default version when IAM's five are used), and attaches it to the enforced
 * groups. `expectedHash` is the document the person previewed: if the program changed since, nothing is deployed.
 */
export async function deployEnforcement(actor: Actor, expectedHash: string): Promise<ActionResult<DeployOutcome[]>> {
  assertRole(actor.roles, 'security', 'enforcement deploys');
  const preview = await previewEnforcement(actor);
  const { generated } = preview;
  if (generated.hash !== expectedHash) return fail('Changed', 'The program changed since your preview. Review the new policy and its impact, then deploy again.');
  if (preview.blockers.length) {
    await recordAudit(await getDb(), { actor: actor.id, action: 'enforcement.deploy', outcome: 'denied', detail: { reason: 'Blocked', blockers: preview.blockers } });
    return fail('Refused', `Not deployed. ${preview.blockers.join(' ')}`);
  }
  const db = await getDb();
  const outcomes = await Promise.all(
    preview.accounts.map(async (a): Promise<DeployOutcome> => {
      const outcome: DeployOutcome = { accountId: a.accountId, status: 'unchanged', versionId: a.defaultVersionId, deletedVersion: null, attached: [], missingGroups: a.groups.filter((g) => !g.exists).map((g) => g.name), error: a.error };
      if (a.error) return { ...outcome, status: 'failed' };
      // Each AWS call between an intent and an outcome row; the summary row with the diff follows.
      const aws = <T>(operation: string, detail: Record<string, unknown>, run: () => Promise<T>) =>
        auditedMutation({ actor: actor.id, action: 'enforcement.deploy', target: a.arn, detail } satisfies MutationContext, operation, run, db);
      try {
        if (!a.exists) {
          const created = await aws('iam:CreatePolicy', { hash: generated.hash }, () =>
            createManagedPolicy(a.accountId, {
              name: generated.program.policyName,
              path: generated.program.policyPath,
              document: generated.json,
              description: 'Deny everything but MFA self-service to IAM users without MFA after their cohort deadline (MFA Portal).',
            }),
          );
          Object.assign(outcome, { status: 'created', versionId: created.defaultVersionId });
        } else if (!a.upToDate) {
          if (a.versions.length >= MAX_POLICY_VERSIONS) {
            const oldest = a.versions.find((v) => !v.isDefault);
            if (oldest) {
              await aws('iam:DeletePolicyVersion', { versionId: oldest.versionId }, () => deletePolicyVersion(a.accountId, a.arn, oldest.versionId));
              outcome.deletedVersion = oldest.versionId;
            }
          }
          Object.assign(outcome, { status: 'updated', versionId: await aws('iam:CreatePolicyVersion', { hash: generated.hash }, () => createPolicyVersion(a.accountId, a.arn, generated.json)) });
        }
        for (const g of a.groups) {
          if (g.exists && !g.attached) {
            await aws('iam:AttachGroupPolicy', { group: g.name }, () => attachGroupPolicy(a.accountId, g.name, a.arn));
            outcome.attached.push(g.name);
          }
        }
      } catch (error) {
        Object.assign(outcome, { status: 'failed', error: explain(error) });
      }
      await recordAudit(db, {
        actor: actor.id,
        action: 'enforcement.deploy',
        target: a.arn,
        outcome: outcome.status === 'failed' ? 'failure' : 'success',
        detail: {
          before: { versionId: a.defaultVersionId, document: a.deployedJson },
          after: { versionId: outcome.versionId, document: outcome.status === 'failed' ? a.deployedJson : generated.json },
          diff: diffText(a.diff),
          status: outcome.status,
          deletedVersion: outcome.deletedVersion,
          attached: outcome.attached,
          missingGroups: outcome.missingGroups,
          ...(outcome.error ? { reason: outcome.error } : {}),
        },
      });
      return outcome;
    }),
  );
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const changed = outcomes.filter((o) => o.status === 'created' || o.status === 'updated').length;
  return ok(outcomes, failed ? `Deployed to ${outcomes.length - failed} of ${outcomes.length} accounts; ${failed} failed (see below).` : changed ? `Deployed to ${changed} account${changed === 1 ? '' : 's'}.` : 'Every account already has this version.');
}

/**
 * Would making `document` the default in this account lock the portal out? Decided from the version's own document
 * (not the program, which may have changed since) and the portal's IAM user as the inventory has it. `check` says
 * what was found, for the audit.
 */
async function portalLockout(accountId: string, program: EnforcementProgram, document: string): Promise<{ from: Date | null; message: string } | { check: string }> {
  let me: { accountId: string; userName: string } | null;
  try {
    me = await portalUser();
  } catch (error) {
    return { check: `unknown: could not tell who the portal is (${explain(error)})` };
  }
  if (!me) return { check: 'not an IAM user: the policy, attached to groups, cannot deny it' };
  if (me.accountId !== accountId) return { check: `its IAM user is in ${me.accountId}, not this account` };
  const [self] = await impactRows(me);
  if (!self) return { check: `unknown: ${me.accountId}/${me.userName} is not in the inventory` };
  const groups = self.groups.filter((g) => program.groups.includes(g));
  if (!groups.length) return { check: 'not in an enforced group' };
  const denial = denialForKeyUser(document, self.tags);
  if (denial.denied === 'unknown') return { check: `unknown: ${denial.reason}` };
  if (!denial.denied) return { check: 'not denied by this version' };
  const when = denial.from ? `from ${policyDate(denial.from)}` : 'at once';
  return {
    from: denial.from,
    message: `This version would deny the portal’s own identity (${me.accountId}/${me.userName}, in ${groups.join(', ')}) ${when}: it calls AWS with access keys and no MFA, so nothing could be undone from the portal afterwards. Take it out of the enforced group or exempt it first.`,
  };
}

/**
 * Makes a retained version the default again, in one account. Audited with the diff it causes.
 *
 * A rollback is the emergency undo, so a deploy's checks of the program do not hold it up: not the size (the version
 * fitted when it was deployed), and not approved exceptions without their tag (waiting for a tag run would leave in
 * force the very version being undone). It must not lock the portal out, though: once the portal's own IAM user is
 * denied, nothing can be deployed or rolled back from the portal any more. That is checked against the version's own
 * document; when it cannot be decided (the portal's identity or inventory row unknown, a document the check does not
 * understand) the rollback goes ahead and the audit records why.
 */
export async function rollbackEnforcement(actor: Actor, accountId: string, versionId: string): Promise<ActionResult<{ versionId: string }>> {
  assertRole(actor.roles, 'security', 'enforcement rollbacks');
  const account = getEnv().MFA_ACCOUNTS.find((a) => a.id === accountId);
  if (!account) return fail('NotFound', `Account ${accountId} is not managed by this portal.`);
  const db = await getDb();
  const program = await loadEnforcementProgram(db);
  const state = await readAccount(account.id, account.label, program);
  if (state.error) return fail('AwsError', state.error);
  if (!state.exists) return fail('NotFound', 'The enforcement policy does not exist in this account yet.');
  if (!state.versions.some((v) => v.versionId === versionId)) return fail('NotFound', `Version ${versionId} is not retained (IAM keeps five). Reload the page.`);
  if (state.defaultVersionId === versionId) return ok({ versionId }, `${versionId} is already the default.`);
  try {
    const target = await getPolicyDocument(account.id, state.arn, versionId);
    const lockout = await portalLockout(account.id, program, target);
    if ('message' in lockout) {
      await recordAudit(db, { actor: actor.id, action: 'enforcement.rollback', target: state.arn, outcome: 'denied', detail: { versionId, reason: 'Blocked', blockers: [lockout.message] } });
      return fail('Refused', `Not rolled back. ${lockout.message}`);
    }
    await auditedMutation(
      { actor: actor.id, action: 'enforcement.rollback', target: state.arn, detail: { versionId, from: state.defaultVersionId } },
      'iam:SetDefaultPolicyVersion',
      () => setDefaultPolicyVersion(account.id, state.arn, versionId),
      db,
    );
    await recordAudit(db, {
      actor: actor.id,
      action: 'enforcement.rollback',
      target: state.arn,
      outcome: 'success',
      detail: { before: { versionId: state.defaultVersionId }, after: { versionId }, diff: diffText(lineDiff(prettyPolicy(state.deployedJson), prettyPolicy(target))), portalCheck: lockout.check },
    });
    return ok({ versionId }, `${account.label}: ${versionId} is the default version again.`);
  } catch (error) {
    const message = explain(error);
    await recordAudit(db, { actor: actor.id, action: 'enforcement.rollback', target: state.arn, outcome: 'failure', detail: { versionId, reason: message } });
    return fail('AwsError', message);
  }
}
