'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { invalid } from '@/lib/actions/result';
import { bulkDecide, setDecision } from '@/lib/program/decisions';
import { decisionInputSchema } from '@/lib/program/program-input';
import { selectionOf } from '@/lib/program/selection';
import { MAX_DB_ID } from '@/lib/actions/params';

const target = z.object({
  accountId: z.string().regex(/^\d{12}$/, 'Not an account id.'),
  userName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'Not an IAM user name.'),
});

function parseDecision(raw: Record<string, string>) {
  const parsed = decisionInputSchema(new Date()).safeParse(raw);
  return parsed.success ? { ok: true as const, input: parsed.data } : { ok: false as const, errors: z.flattenError(parsed.error).fieldErrors as Partial<Record<string, string[]>> };
}

export const setDecisionAction = defineAction({ name: 'program.decision.set', role: 'admin', schema: target.catchall(z.string()) }, async (actor, raw) => {
  const { accountId, userName, ...fields } = raw;
  const parsed = parseDecision(fields as Record<string, string>);
  if (!parsed.ok) return invalid(parsed.errors, 'Check the highlighted fields.');
  const result = await setDecision(actor, { accountId, userName }, parsed.input);
  if (result.status === 'success') revalidatePath(`/admin/users/${accountId}/${encodeURIComponent(userName)}`);
  return result;
});

/** `filters` is the users table's query string; `expected` the count the admin confirmed. */
export const bulkDecideAction = defineAction(
  { name: 'program.decision.bulk', role: 'admin', schema: z.object({ filters: z.string().max(2000), expected: z.coerce.number().int().min(1).max(MAX_DB_ID) }).catchall(z.string()) },
  async (actor, raw) => {
    const { filters, expected, ...fields } = raw;
    const parsed = parseDecision(fields as Record<string, string>);
    if (!parsed.ok) return invalid(parsed.errors, 'Check the highlighted fields.');
    const result = await bulkDecide(actor, selectionOf(filters), parsed.input, expected);
    if (result.status === 'success') revalidatePath('/admin/users');
    return result;
  },
);
