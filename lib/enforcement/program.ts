import 'server-only';
import { eq } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { programSettings } from '@/lib/db/schema';
import { saveProgramSettings } from '@/lib/program/settings';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getEnv } from '@/lib/env';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { loadCategories } from '@/lib/program/member';
import { createHash } from 'node:crypto';
import { type Cohort, type EnforcementInput, type SizeCheck } from './policy';
import { buildPolicySet, type SetMember } from './policy-set';

export type EnforcementProgram = EnforcementInput & { groups: string[]; policyName: string; policyPath: string };

/**
 * The policy set the program generates. `hash` names it (the deploy checks the person previewed this one; `id` is what
 * each document carries); `size` is every policy's characters together, or why the cohorts do not fit (no members then).
 */
export type GeneratedPolicy = { program: EnforcementProgram; members: SetMember[]; id: string | null; hash: string; size: SizeCheck };

export async function loadEnforcementProgram(db: Db): Promise<EnforcementProgram> {
  const env = getEnv();
  const [categories, [settings]] = await Promise.all([loadCategories(db), db.select({ defaultCohort: programSettings.defaultCohort }).from(programSettings).where(eq(programSettings.id, 1))]);
  const cohorts = new Map<string, Cohort>();
  // Categories sharing a cohort share its deadline (checked when they are saved); the first one speaks for it.
  for (const c of categories) if (!cohorts.has(c.cohort)) cohorts.set(c.cohort, { cohort: c.cohort, deadline: c.deadline });
  // One category of the cohort counting only certified keys is enough: the policy cannot tell categories apart.
  for (const c of categories) if (c.requireCertifiedKey) cohorts.get(c.cohort)!.requireCertifiedKey = true;
  const defaultCohort = settings?.defaultCohort && cohorts.has(settings.defaultCohort) ? settings.defaultCohort : null;
  return {
    cohorts: [...cohorts.values()],
    defaultCohort,
    // The tag guard exempts the role that writes mfa-* tags: the deploy role (lib/aws/policy-writes.ts).
    portalRoleName: env.MFA_DEPLOY_ROLE_NAME,
    groups: env.MFA_ENFORCEMENT_GROUPS,
    policyName: env.MFA_ENFORCEMENT_POLICY_NAME,
    policyPath: env.MFA_ENFORCEMENT_POLICY_PATH,
  };
}

export function generate(program: EnforcementProgram): GeneratedPolicy {
  const set = buildPolicySet(program, program.policyName);
  if (!set.ok) return { program, members: [], id: null, hash: createHash('sha256').update(set.message).digest('hex').slice(0, 16), size: { ok: false, chars: 0, message: set.message } };
  return { program, members: set.members, id: set.id, hash: set.hash, size: { ok: true, chars: set.members.reduce((n, m) => n + m.chars, 0) } };
}

/** Security only: which cohort users without an mfa-cohort tag belong to (null: they are not enforced). */
export async function setDefaultCohort(db: Db, actor: Actor, cohort: string | null): Promise<ActionResult<{ defaultCohort: string | null }>> {
  assertRole(actor.roles, 'security', 'enforcement settings');
  const program = await loadEnforcementProgram(db);
  if (cohort !== null && !program.cohorts.some((c) => c.cohort === cohort)) return fail('NotFound', `No category uses the cohort “${cohort}”. Choose one of the program’s cohorts.`);
  const [before] = await db.select({ defaultCohort: programSettings.defaultCohort }).from(programSettings).where(eq(programSettings.id, 1));
  await saveProgramSettings(db, actor, { defaultCohort: cohort }, { target: 'default-cohort', before: { defaultCohort: before?.defaultCohort ?? null }, after: { defaultCohort: cohort } });
  return ok({ defaultCohort: cohort }, cohort ? `Users without an mfa-cohort tag, or with one naming no cohort of the program, are enforced with cohort “${cohort}”.` : 'Users without an mfa-cohort tag are not enforced.');
}
