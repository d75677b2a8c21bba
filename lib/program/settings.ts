import 'server-only';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { programSettings } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { invalid, ok, type ActionResult } from '@/lib/actions/result';

export const DEFAULT_REMINDER_DAYS = [14, 7, 1];

type SettingValues = Partial<Omit<typeof programSettings.$inferInsert, 'id' | 'updatedAt' | 'updatedBy'>>;
type SettingsAudit = { action?: 'program.settings.update' | 'recovery.settings'; target: string; before: Record<string, unknown>; after: Record<string, unknown> };

/** Writes program settings (the one row) and audits the change with its before and after, in one transaction. */
export async function saveProgramSettings(db: Db, actor: Actor, values: SettingValues, audit: SettingsAudit): Promise<void> {
  const set = { ...values, updatedAt: new Date(), updatedBy: actor.id };
  await db.transaction(async (tx) => {
    await tx.insert(programSettings).values({ id: 1, ...set }).onConflictDoUpdate({ target: programSettings.id, set });
    await recordAudit(tx as unknown as Db, {
      actor: actor.id,
      action: audit.action ?? 'program.settings.update',
      target: audit.target,
      outcome: 'success',
      detail: { before: audit.before, after: audit.after },
    });
  });
}

/** "14, 7, 1" -> [14, 7, 1]: whole days from 1 to 365, at most 6 steps, no repeats; sorted descending. */
export const reminderDaysSchema = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const parts = s.split(/[\s,]+/).filter(Boolean);
    const days = parts.map(Number);
    if (parts.length === 0 || parts.length > 6 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 365)) {
      ctx.addIssue({ code: 'custom', message: 'Enter one to six whole numbers of days from 1 to 365, separated by commas (e.g. 14, 7, 1).' });
      return z.NEVER;
    }
    if (new Set(days).size !== days.length) {
      ctx.addIssue({ code: 'custom', message: 'Each number of days may appear only once.' });
      return z.NEVER;
    }
    return [...days].sort((a, b) => b - a);
  });

export async function getReminderDays(db: Db): Promise<number[]> {
  const [row] = await db.select({ days: programSettings.reminderDays }).from(programSettings).where(eq(programSettings.id, 1));
  return row?.days?.length ? [...row.days].sort((a, b) => b - a) : DEFAULT_REMINDER_DAYS;
}

/** Security only; audited with before and after. */
export async function setReminderDays(db: Db, actor: Actor, raw: string): Promise<ActionResult<{ days: number[] }>> {
  assertRole(actor.roles, 'security', 'reminder settings');
  const parsed = reminderDaysSchema.safeParse(raw);
  if (!parsed.success) return invalid({ reminderDays: parsed.error.issues.map((i) => i.message) }, 'Check the reminder days.');
  const before = await getReminderDays(db);
  await saveProgramSettings(db, actor, { reminderDays: parsed.data }, { target: 'reminder-days', before: { reminderDays: before }, after: { reminderDays: parsed.data } });
  return ok({ days: parsed.data }, `Reminders go out ${parsed.data.join(', ')} days before each deadline.`);
}
