'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { invalid, ok } from '@/lib/actions/result';
import { getDb } from '@/lib/db/client';
import { deleteCategory, moveCategory, previewDraft, saveCategory, type DraftPreview } from '@/lib/program/categories';
import { categoryInputSchema } from '@/lib/program/program-input';
import { setReminderDays } from '@/lib/program/settings';
import { dbIdField } from '@/lib/actions/params';

const idSchema = z.object({ id: dbIdField() });
const optionalId = z.preprocess((v) => (v === '' ? undefined : v), dbIdField().optional());

function parseCategory(raw: Record<string, string>) {
  const parsed = categoryInputSchema(new Date()).safeParse(raw);
  return parsed.success ? { ok: true as const, input: parsed.data } : { ok: false as const, errors: z.flattenError(parsed.error).fieldErrors as Partial<Record<string, string[]>> };
}

// The category form is validated by categoryInputSchema inside the handler: its rules depend on the clock.
const categoryForm = z.object({ id: optionalId }).catchall(z.string());

export const saveCategoryAction = defineAction({ name: 'program.category.save', role: 'security', schema: categoryForm }, async (actor, raw) => {
  const { id, enforceFromNow, ...fields } = raw;
  const parsed = parseCategory(fields as Record<string, string>);
  if (!parsed.ok) return invalid(parsed.errors, 'Check the highlighted fields.');
  const result = await saveCategory(actor, id ?? null, parsed.input, { enforceFromNow: enforceFromNow ?? null });
  if (result.status !== 'success') return result;
  revalidatePath('/admin/program');
  const confirmedPast = enforceFromNow === parsed.input.deadline.toISOString() && parsed.input.deadline.getTime() <= Date.now();
  return confirmedPast ? { ...result, message: `${result.message} Its deadline has passed, so the next enforcement deploy applies it from now.` } : result;
});

export const previewCategoryAction = defineAction({ name: 'program.category.preview', role: 'security', schema: categoryForm }, async (actor, raw) => {
  const { id, ...fields } = raw;
  const parsed = parseCategory(fields as Record<string, string>);
  if (!parsed.ok) return invalid(parsed.errors, 'Check the highlighted fields.');
  return ok<DraftPreview>(await previewDraft(actor, parsed.input, id ?? null));
});

export const deleteCategoryAction = defineAction({ name: 'program.category.delete', role: 'security', schema: idSchema }, async (actor, { id }) => {
  const result = await deleteCategory(actor, id);
  if (result.status === 'success') revalidatePath('/admin/program');
  return result;
});

export const moveCategoryAction = defineAction(
  { name: 'program.category.reorder', role: 'security', schema: idSchema.extend({ direction: z.enum(['up', 'down']) }) },
  async (actor, { id, direction }) => {
    const result = await moveCategory(actor, id, direction);
    if (result.status === 'success') revalidatePath('/admin/program');
    return result;
  },
);

export const setReminderDaysAction = defineAction(
  { name: 'program.settings.update', role: 'security', schema: z.object({ reminderDays: z.string().max(200) }) },
  async (actor, { reminderDays }) => {
    const result = await setReminderDays(await getDb(), actor, reminderDays);
    if (result.status === 'success') revalidatePath('/admin/program');
    return result;
  },
);
