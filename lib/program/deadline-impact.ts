import 'server-only';
import { getDb } from '@/lib/db/client';
import { formatDateTimeUtc, plural } from '@/lib/format';
import { inventoryUsers, programDecisions } from '@/lib/db/schema';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { loadCategories } from './member';
import { resolveProgram, type ProgramCategory, type ProgramGap } from './resolve';
import { keptException, type CategoryInput } from './program-input';

export type DeadlineImpact = {
  /** Users the category would hold who are in scope without compliant MFA: enforcement would apply to them at once. */
  affected: number;
  sample: { accountId: string; userName: string; gap: ProgramGap }[];
};

/** A deadline in the past needs an explicit "enforce from now"; an unchanged deadline of an existing category does not. */
export function needsEnforceFromNow(input: Pick<CategoryInput, 'deadline'>, previousDeadline: Date | null, now: Date): boolean {
  if (input.deadline.getTime() > now.getTime()) return false;
  return previousDeadline === null || previousDeadline.getTime() !== input.deadline.getTime();
}

/**
 * Who a category with this draft would put past its deadline right away, by the same rule as every verdict
 * (resolveProgram over the stored inventory, with admins' decisions), the draft taking its place in the order.
 */
export async function deadlineImpact(actor: Actor, input: CategoryInput, id: number | null, now: Date, sampleSize = 10): Promise<DeadlineImpact> {
  assertRole(actor.roles, 'security', 'categories');
  const db = await getDb();
  const [categories, users, decisions] = await Promise.all([loadCategories(db), db.select().from(inventoryUsers), db.select().from(programDecisions)]);
  const existing = id === null ? undefined : categories.find((c) => c.id === id);
  const draftId = id ?? -1;
  const draft: ProgramCategory = { ...input, ...keptException(input, existing), id: draftId, position: existing?.position ?? (categories.at(-1)?.position ?? 0) + 1 };
  const all: ProgramCategory[] = [...categories.filter((c) => c.id !== id), draft];
  const byUser = new Map(decisions.map((d) => [`${d.accountId}/${d.userName}`, d]));
  const hit: DeadlineImpact['sample'] = [];
  for (const u of users) {
    const status = resolveProgram(u, all, byUser.get(`${u.accountId}/${u.userName}`) ?? null, now);
    if (status.category?.id === draftId && status.inScope && !status.compliant && status.programGap) hit.push({ accountId: u.accountId, userName: u.userName, gap: status.programGap });
  }
  hit.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName));
  return { affected: hit.length, sample: hit.slice(0, sampleSize) };
}

const gapWords: Record<ProgramGap, string> = { 'no-mfa': 'no MFA', 'disallowed-type': 'no allowed device type', 'not-certified': 'no certified security key', 'needs-backup': 'no backup device' };

/** The refusal the form turns into an "enforce from now" confirmation: what, who, and which deadline it is for. */
export function pastDeadlineErrors(deadline: Date, impact: DeadlineImpact): Partial<Record<string, string[]>> {
  const who =
    impact.affected === 0
      ? 'No IAM user this category would hold is in scope without compliant MFA today, so nobody is refused at once; anyone who falls out of compliance later is refused straight away.'
      : `${plural(impact.affected, 'IAM user')} in scope without compliant MFA would be refused at once: ` +
        impact.sample.map((u) => `${u.accountId}/${u.userName} (${gapWords[u.gap]})`).join(', ') +
        (impact.affected > impact.sample.length ? `, and ${impact.affected - impact.sample.length} more` : '') +
        '.';
  return {
    deadline: [`This deadline (${formatDateTimeUtc(deadline)}) is in the past.`],
    enforceFromNow: [`Saving it enforces MFA from now. ${who}`],
    // Which deadline the confirmation is for: changing the deadline afterwards asks again.
    enforceFromNowFor: [deadline.toISOString()],
  };
}
