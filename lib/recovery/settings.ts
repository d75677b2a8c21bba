import 'server-only';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { getDb, type Db } from '@/lib/db/client';
import { programSettings } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { saveProgramSettings } from '@/lib/program/settings';
import { hasRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getEnv } from '@/lib/env';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import { checklistSchema, graceHoursSchema } from './rules';

/** The column defaults of migration 0022, for a database whose settings row was never written. */
export const DEFAULT_CHECKLIST = [
  'Verified the person on a video or in-person call against their photo in the staff directory',
  'Confirmed the request with their manager through a channel other than the one the request came from',
];
export const DEFAULT_GRACE_HOURS = 24;

export type RecoverySettings = { checklist: string[]; graceHours: number; maxGraceHours: number };

export async function getRecoverySettings(db?: Db): Promise<RecoverySettings> {
  const conn = db ?? (await getDb());
  const [row] = await conn
    .select({ checklist: programSettings.recoveryChecklist, graceHours: programSettings.recoveryGraceHours })
    .from(programSettings)
    .where(eq(programSettings.id, 1));
  const maxGraceHours = getEnv().MFA_RECOVERY_MAX_GRACE_HOURS;
  return {
    checklist: row?.checklist?.length ? row.checklist : DEFAULT_CHECKLIST,
    // A cap lowered after the setting was saved wins: the stored value is read through it.
    graceHours: Math.min(row?.graceHours ?? DEFAULT_GRACE_HOURS, maxGraceHours),
    maxGraceHours,
  };
}

/** The security team's checklist and grace hours. Security only; audited with before and after. */
export async function setRecoverySettings(actor: Actor, raw: { checklist: string; graceHours: string }): Promise<ActionResult<{ checklist: string[]; graceHours: number }>> {
  const db = await getDb();
  if (!hasRole(actor.roles, 'security')) {
    await recordAudit(db, { actor: actor.id, action: 'recovery.settings', target: 'recovery', outcome: 'denied', detail: { reason: 'Forbidden' } });
    return fail('Forbidden', 'Only the security team sets the recovery checklist and grace.');
  }
  const parsed = z.object({ checklist: checklistSchema, graceHours: graceHoursSchema(getEnv().MFA_RECOVERY_MAX_GRACE_HOURS) }).safeParse(raw);
  if (!parsed.success) return invalid(z.flattenError(parsed.error).fieldErrors as Partial<Record<string, string[]>>, 'Check the highlighted fields.');
  const before = await getRecoverySettings(db);
  const { checklist, graceHours } = parsed.data;
  await saveProgramSettings(db, actor, { recoveryChecklist: checklist, recoveryGraceHours: graceHours }, {
    action: 'recovery.settings',
    target: 'recovery',
    before: { checklist: before.checklist, graceHours: before.graceHours },
    after: { checklist, graceHours },
  });
  return ok({ checklist, graceHours }, `Saved: ${checklist.length} check${checklist.length === 1 ? '' : 's'}, a grace of ${graceHours} hour${graceHours === 1 ? '' : 's'}.`);
}
