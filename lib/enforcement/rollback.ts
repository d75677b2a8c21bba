import 'server-only';
import { listManagedAccounts } from '@/lib/accounts/registry';
import { auditedMutation, recordAudit } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { getPolicyDocument } from '@/lib/aws/policies';
import { setDefaultPolicyVersion } from '@/lib/aws/policy-writes';
import { getDb } from '@/lib/db/client';
import { explain, readAccount, type AccountPolicyState } from './account-state';
import { diffText, lineDiff } from './diff';
import { setText } from './preview';
import { plural } from '@/lib/format';
import { impactRows, portalUser } from './impact-rows';
import { denialForKeyUser } from './lockout';
import { policyDate } from './policy';
import { loadEnforcementProgram, type EnforcementProgram } from './program';

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

/** The document's set id (`Id`), or null for a document without one (deployed before the set, or not JSON). */
const setIdOf = (json: string): string | null => {
  try {
    const id = (JSON.parse(json) as { Id?: unknown }).Id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
};

/** Every policy's statements in one document: a user is denied by the set exactly when one of its policies denies. */
const merged = (docs: readonly string[]) => JSON.stringify({ Version: '2012-10-17', Statement: docs.flatMap((d) => (JSON.parse(d) as { Statement: unknown[] }).Statement) });

type Target = { name: string; arn: string; versionId: string; document: string; currentVersionId: string | null; currentDocument: string | null };

/**
 * Each policy of the set's version belonging to the same deploy as the first policy's `versionId`, found by the set id
 * in its document (a version without one, the CDK's first, matches the one version without an id of each other
 * policy); a message when some policy of the set in the account retains none.
 */
async function targetsFor(accountId: string, state: AccountPolicyState, versionId: string): Promise<Target[] | string> {
  const [first, ...others] = state.members;
  const document = await getPolicyDocument(accountId, state.arn, versionId);
  const head: Target = { name: first!.name, arn: first!.arn, versionId, document, currentVersionId: first!.defaultVersionId, currentDocument: first!.deployedJson };
  const id = setIdOf(document);
  if (!others.length) return [head];
  const targets = [head];
  for (const m of others) {
    const matching: Target[] = [];
    for (const v of m.versions) {
      const doc = v.versionId === m.defaultVersionId ? m.deployedJson! : await getPolicyDocument(accountId, m.arn, v.versionId);
      if (setIdOf(doc) === id) matching.push({ name: m.name, arn: m.arn, versionId: v.versionId, document: doc, currentVersionId: m.defaultVersionId, currentDocument: m.deployedJson });
    }
    // Without an id only the CDK's first versions are one set, and then each policy has exactly one such version.
    const found = id === null ? (matching.length === 1 ? matching[0]! : null) : (matching.at(-1) ?? null);
    if (!found) return `${m.name} retains no version of the set ${versionId} belongs to (it was created later, or IAM no longer keeps it): the set cannot be rolled back to ${versionId}. Deploy an older program instead.`;
    targets.push(found);
  }
  return targets;
}

/**
 * Makes a retained version of the set the default again, in one account: `versionId` is the first policy's, and every
 * other policy of the set goes back to its version from the same deploy, together. Audited with the diff it causes.
 *
 * A rollback is the emergency undo, so a deploy's checks of the program do not hold it up: not the size (the version
 * fitted when it was deployed), and not approved exceptions without their tag (waiting for a tag run would leave in
 * force the very version being undone). It must not lock the portal out, though: once the portal's own IAM user is
 * denied, nothing can be deployed or rolled back from the portal any more. That is checked against the versions' own
 * documents; when it cannot be decided (the portal's identity or inventory row unknown, a document the check does not
 * understand) the rollback goes ahead and the audit records why. When a policy cannot be switched, the audit and the
 * message say which were and which were not.
 */
export async function rollbackEnforcement(actor: Actor, accountId: string, versionId: string): Promise<ActionResult<{ versionId: string }>> {
  assertRole(actor.roles, 'security', 'enforcement rollbacks');
  const account = (await listManagedAccounts()).find((a) => a.id === accountId);
  if (!account) return fail('NotFound', `Account ${accountId} is not managed by this portal.`);
  const db = await getDb();
  const program = await loadEnforcementProgram(db);
  const state = await readAccount(account.id, account.label, program);
  if (state.error) return fail('AwsError', state.error);
  if (!state.exists) return fail('NotFound', 'The enforcement policy does not exist in this account yet.');
  if (!state.versions.some((v) => v.versionId === versionId)) return fail('NotFound', `Version ${versionId} is not retained (IAM keeps five). Reload the page.`);
  const switched: string[] = [];
  try {
    const targets = await targetsFor(account.id, state, versionId);
    if (typeof targets === 'string') {
      await recordAudit(db, { actor: actor.id, action: 'enforcement.rollback', target: state.arn, outcome: 'denied', detail: { versionId, reason: 'NotInSet', message: targets } });
      return fail('Refused', `Not rolled back. ${targets}`);
    }
    const toSwitch = targets.filter((t) => t.currentVersionId !== t.versionId);
    if (!toSwitch.length) return ok({ versionId }, `${versionId} is already the default.`);
    const lockout = await portalLockout(account.id, program, merged(targets.map((t) => t.document)));
    if ('message' in lockout) {
      await recordAudit(db, { actor: actor.id, action: 'enforcement.rollback', target: state.arn, outcome: 'denied', detail: { versionId, reason: 'Blocked', blockers: [lockout.message] } });
      return fail('Refused', `Not rolled back. ${lockout.message}`);
    }
    for (const t of toSwitch) {
      await auditedMutation(
        { actor: actor.id, action: 'enforcement.rollback', target: t.arn, detail: { versionId: t.versionId, from: t.currentVersionId } },
        'iam:SetDefaultPolicyVersion',
        () => setDefaultPolicyVersion(account.id, t.arn, t.versionId),
        db,
      );
      switched.push(t.name);
    }
    const text = (pick: (t: Target) => string | null) => setText(targets.map((t) => ({ name: t.name, json: pick(t) })));
    await recordAudit(db, {
      actor: actor.id,
      action: 'enforcement.rollback',
      target: state.arn,
      outcome: 'success',
      detail: {
        before: { versionId: state.defaultVersionId, policies: Object.fromEntries(targets.map((t) => [t.name, t.currentVersionId])) },
        after: { versionId, policies: Object.fromEntries(targets.map((t) => [t.name, t.versionId])) },
        diff: diffText(lineDiff(text((t) => t.currentDocument), text((t) => t.document))),
        portalCheck: lockout.check,
      },
    });
    return ok({ versionId }, `${account.label}: ${versionId} is the default version again${targets.length > 1 ? `, with the same deploy’s version of ${plural(targets.length - 1, 'other policy', 'other policies')}` : ''}.`);
  } catch (error) {
    const message = explain(error) + (switched.length ? ` Already rolled back: ${switched.join(', ')}; roll back again to finish the set.` : '');
    await recordAudit(db, { actor: actor.id, action: 'enforcement.rollback', target: state.arn, outcome: 'failure', detail: { versionId, reason: message, switched } });
    return fail('AwsError', message);
  }
}
