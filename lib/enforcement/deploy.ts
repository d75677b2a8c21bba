import 'server-only';
import { auditedMutation, recordAudit, type MutationContext } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { attachGroupPolicy, createManagedPolicy, createPolicyVersion, deletePolicyVersion } from '@/lib/aws/policy-writes';
import { getDb, type Db } from '@/lib/db/client';
import { plural } from '@/lib/format';
import { explain, MAX_POLICY_VERSIONS } from './account-state';
import { diffText } from './diff';
import { previewEnforcement, type AccountPreview } from './preview';
import type { GeneratedPolicy } from './program';

/** One policy of the set in one account: what the deploy did to it. */
export type PolicyOutcome = { name: string; status: 'created' | 'updated' | 'unchanged' | 'failed' | 'not attempted'; versionId: string | null; deletedVersion: string | null; error: string | null };

/**
 * One account's deploy. `status`, `versionId` and `deletedVersion` are the first policy's (`<name>`); `policies` says
 * for every policy of the set what happened, and `error` names the policy that failed.
 */
export type DeployOutcome = {
  accountId: string;
  status: 'created' | 'updated' | 'unchanged' | 'failed';
  versionId: string | null;
  deletedVersion: string | null;
  attached: string[];
  missingGroups: string[];
  policies: PolicyOutcome[];
  error: string | null;
};

/**
 * Deploys the generated policy set to every managed account as one change: in each account every policy of the set
 * is written (CreatePolicy the first time, then CreatePolicyVersion as default, deleting the oldest non-default
 * version when IAM's five are used), retired policies of the set get the tag guard alone, and every policy is attached
 * to the enforced groups. An account stops at its first failure and says which policy failed and which were not
 * attempted; a deploy again finishes the set. `expectedHash` is the set the person previewed: if the program changed
 * since, nothing is deployed.
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
  const outcomes = await Promise.all(preview.accounts.map((a) => deployAccount(actor, db, a, generated)));
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const changed = outcomes.filter((o) => o.status === 'created' || o.status === 'updated').length;
  return ok(outcomes, failed ? `Deployed to ${outcomes.length - failed} of ${outcomes.length} accounts; ${failed} failed (see below).` : changed ? `Deployed to ${plural(changed, 'account')}.` : 'Every account already has this version.');
}

async function deployAccount(actor: Actor, db: Db, a: AccountPreview, { hash, program }: GeneratedPolicy): Promise<DeployOutcome> {
  const policies: PolicyOutcome[] = a.desired.map((d) => ({ name: d.name, status: 'unchanged', versionId: a.members.find((m) => m.name === d.name)?.defaultVersionId ?? null, deletedVersion: null, error: null }));
  const outcome: DeployOutcome = { accountId: a.accountId, status: 'unchanged', versionId: a.defaultVersionId, deletedVersion: null, attached: [], missingGroups: a.groups.filter((g) => !g.exists).map((g) => g.name), policies, error: a.error };
  if (a.error) return { ...outcome, status: 'failed' };
  // Each AWS call between an intent and an outcome row; the summary row with the diff follows.
  const aws = <T>(target: string, operation: string, detail: Record<string, unknown>, run: () => Promise<T>) =>
    auditedMutation({ actor: actor.id, action: 'enforcement.deploy', target, detail } satisfies MutationContext, operation, run, db);
  // The policy being written or attached when a call fails.
  let current = 0;
  try {
    for (; current < a.desired.length; current++) {
      const d = a.desired[current]!;
      const p = policies[current]!;
      const member = a.members.find((m) => m.name === d.name);
      if (!member) {
        const created = await aws(d.arn, 'iam:CreatePolicy', { hash }, () =>
          createManagedPolicy(a.accountId, {
            name: d.name,
            path: program.policyPath,
            document: d.json,
            description: 'Deny everything but MFA self-service to IAM users without MFA after their cohort deadline (MFA Portal).',
          }),
        );
        Object.assign(p, { status: 'created', versionId: created.defaultVersionId });
      } else if (!d.upToDate) {
        if (member.versions.length >= MAX_POLICY_VERSIONS) {
          const oldest = member.versions.find((v) => !v.isDefault);
          if (oldest) {
            await aws(d.arn, 'iam:DeletePolicyVersion', { versionId: oldest.versionId }, () => deletePolicyVersion(a.accountId, d.arn, oldest.versionId));
            p.deletedVersion = oldest.versionId;
          }
        }
        Object.assign(p, { status: 'updated', versionId: await aws(d.arn, 'iam:CreatePolicyVersion', { hash }, () => createPolicyVersion(a.accountId, d.arn, d.json)) });
      }
    }
    for (const g of a.groups) {
      if (!g.exists) continue;
      const missing = a.desired.filter((d) => !g.attachedArns.includes(d.arn));
      for (const d of missing) {
        current = a.desired.indexOf(d);
        await aws(d.arn, 'iam:AttachGroupPolicy', { group: g.name }, () => attachGroupPolicy(a.accountId, g.name, d.arn));
      }
      if (missing.length) outcome.attached.push(g.name);
    }
  } catch (error) {
    const reason = explain(error);
    policies.forEach((p, i) => {
      if (i === current) Object.assign(p, { status: 'failed', error: reason });
      // Written ones say so already; the rest that needed a write did not get one.
      else if (i > current && p.status === 'unchanged' && !a.desired[i]!.upToDate) p.status = 'not attempted';
    });
    const notAttempted = policies.filter((p) => p.status === 'not attempted').map((p) => p.name);
    outcome.status = 'failed';
    outcome.error = `${a.desired[current]?.name ?? a.arn}: ${reason}` + (notAttempted.length ? ` Not attempted: ${notAttempted.join(', ')}.` : '');
  }
  const first = policies[0];
  if (outcome.status !== 'failed') {
    const changed = policies.some((p) => p.status === 'created' || p.status === 'updated');
    outcome.status = first?.status === 'created' ? 'created' : changed ? 'updated' : 'unchanged';
  }
  if (first) Object.assign(outcome, { versionId: first.versionId, deletedVersion: first.deletedVersion });
  await recordAudit(db, {
    actor: actor.id,
    action: 'enforcement.deploy',
    target: a.arn,
    outcome: outcome.status === 'failed' ? 'failure' : 'success',
    detail: {
      before: Object.fromEntries(a.members.map((m) => [m.name, { versionId: m.defaultVersionId, document: m.deployedJson }])),
      after: Object.fromEntries(policies.map((p, i) => [p.name, { versionId: p.versionId, document: p.status === 'created' || p.status === 'updated' || p.status === 'unchanged' ? a.desired[i]!.json : null }])),
      diff: diffText(a.diff),
      status: outcome.status,
      policies: policies.map(({ name, status, versionId, deletedVersion }) => ({ name, status, versionId, deletedVersion })),
      deletedVersion: outcome.deletedVersion,
      attached: outcome.attached,
      missingGroups: outcome.missingGroups,
      ...(outcome.error ? { reason: outcome.error } : {}),
    },
  });
  return outcome;
}
