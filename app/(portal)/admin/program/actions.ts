'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { ok } from '@/lib/actions/result';
import { getDb } from '@/lib/db/client';
import { deleteCategory, moveCategory, previewDraft, saveCategory, type DraftPreview } from '@/lib/program/categories';
import { categoryInputSchema, exceptionRequestSchema } from '@/lib/program/program-input';
import { requestException } from '@/lib/program/exception-requests';
import { setReminderDays } from '@/lib/program/settings';
import { dbIdField } from '@/lib/actions/params';

const PROGRAM = '/admin/program';
const idSchema = z.object({ id: dbIdField() });
const optionalId = z.preprocess((v) => (v === '' ? undefined : v), dbIdField().optional());

/** The category form, built per request: whether a deadline lies in the past depends on the moment. */
const categoryForm = () => z.object({ id: optionalId, enforceFromNow: z.string().optional() }).and(categoryInputSchema(new Date()));

export const saveCategoryAction = defineAction(
  { name: 'program.category.save', role: 'security', schema: categoryForm, revalidate: PROGRAM },
  async (actor, { id, enforceFromNow, ...input }) => {
    const result = await saveCategory(actor, id ?? null, input, { enforceFromNow: enforceFromNow ?? null });
    if (result.status !== 'success') return result;
    const confirmedPast = enforceFromNow === input.deadline.toISOString() && input.deadline.getTime() <= Date.now();
    return confirmedPast ? { ...result, message: `${result.message} Its deadline has passed, so the next enforcement deploy applies it from now.` } : result;
  },
);

export const previewCategoryAction = defineAction({ name: 'program.category.preview', role: 'security', schema: categoryForm }, async (actor, { id, ...input }) =>
  ok<DraftPreview>(await previewDraft(actor, input, id ?? null)),
);

export const deleteCategoryAction = defineAction({ name: 'program.category.delete', role: 'security', schema: idSchema, revalidate: PROGRAM }, async (actor, { id }) =>
  deleteCategory(actor, id),
);

export const moveCategoryAction = defineAction(
  { name: 'program.category.reorder', role: 'security', schema: idSchema.extend({ direction: z.enum(['up', 'down']) }), revalidate: PROGRAM },
  async (actor, { id, direction }) => moveCategory(actor, id, direction),
);

export const setReminderDaysAction = defineAction(
  { name: 'program.settings.update', role: 'security', schema: z.object({ reminderDays: z.string().max(200) }), revalidate: PROGRAM },
  async (actor, { reminderDays }) => setReminderDays(await getDb(), actor, reminderDays),
);

/** A category-wide exception: requested here, approved by another admin in the exceptions queue. */
export const requestCategoryExceptionAction = defineAction(
  { name: 'program.exception.request', role: 'security', schema: () => z.object({ categoryId: dbIdField() }).and(exceptionRequestSchema(new Date())), revalidate: '/admin/exceptions' },
  async (actor, { categoryId, ...request }) => requestException(actor, { categoryId }, request),
);
