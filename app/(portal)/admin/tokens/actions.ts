'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { invalid, type ActionResult } from '@/lib/actions/result';
import { getEnv } from '@/lib/env';
import { addToken, importTokens, removeToken, returnToken, updateToken } from '@/lib/program/tokens';
import { MAX_IMPORT_CHARS, TOKEN_FILTERS, tokenFiltersToSearch, tokenFormSchema, tokenSerialFormSchema } from '@/lib/program/token-input';

const PATH = '/admin/tokens';

// The token form is validated by tokenFormSchema inside the handler: its rules depend on the clock and the accounts.
const tokenForm = z.object({}).catchall(z.string());

function parseToken(raw: Record<string, string>) {
  const parsed = tokenFormSchema(new Date(), getEnv().MFA_ACCOUNTS.map((a) => a.id)).safeParse(raw);
  return parsed.success ? { ok: true as const, input: parsed.data } : { ok: false as const, errors: z.flattenError(parsed.error).fieldErrors as Partial<Record<string, string[]>> };
}

export const addTokenAction = defineAction({ name: 'program.token.add', role: 'admin', schema: tokenForm }, async (actor, raw) => {
  const parsed = parseToken(raw);
  if (!parsed.ok) return invalid(parsed.errors, 'Check the highlighted fields.');
  const result = await addToken(actor, parsed.input);
  if (result.status === 'success') revalidatePath(PATH);
  return result;
});

export const updateTokenAction = defineAction({ name: 'program.token.update', role: 'admin', schema: tokenForm }, async (actor, raw) => {
  const parsed = parseToken(raw);
  if (!parsed.ok) return invalid(parsed.errors, 'Check the highlighted fields.');
  const result = await updateToken(actor, parsed.input);
  if (result.status === 'success') revalidatePath(PATH);
  return result;
});

export const returnTokenAction = defineAction({ name: 'program.token.update', role: 'admin', schema: tokenSerialFormSchema }, async (actor, { serial }) => {
  const result = await returnToken(actor, serial);
  if (result.status === 'success') revalidatePath(PATH);
  return result;
});

/** The register's filter travels with the form so the page comes back as it was; it is re-validated, never echoed raw. */
const backTo = z.object({
  filter: z.enum(TOKEN_FILTERS).catch('all'),
  q: z.string().trim().max(100).optional().catch(undefined),
});

export const removeTokenAction = defineAction(
  { name: 'program.token.remove', role: 'admin', schema: tokenSerialFormSchema.extend(backTo.shape) },
  async (actor, { serial, filter, q }): Promise<ActionResult<{ serial: string }>> => {
    const result = await removeToken(actor, serial);
    if (result.status !== 'success') return result;
    // The row leaves the page, and its form with it: say what happened at page level.
    const search = new URLSearchParams(tokenFiltersToSearch({ filter, q: q || undefined }));
    search.set('removed', serial);
    redirect(`${PATH}?${search}`);
  },
);

export const importTokensAction = defineAction(
  {
    name: 'program.token.import',
    role: 'admin',
    schema: z.object({
      csv: z
        .string({ error: 'Paste the CSV or choose a file.' })
        .trim()
        .min(1, 'Paste the CSV or choose a file.')
        .max(MAX_IMPORT_CHARS, `That is more than ${MAX_IMPORT_CHARS.toLocaleString('en-GB')} characters: split the file.`),
    }),
  },
  async (actor, { csv }) => {
    const result = await importTokens(actor, csv);
    if (result.status === 'success') revalidatePath(PATH);
    return result;
  },
);
