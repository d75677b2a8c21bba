'use server';

import { managedAccountIds } from '@/lib/accounts/registry';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import type { ActionResult } from '@/lib/actions/result';
import { addToken, importTokens, removeToken, returnToken, updateToken } from '@/lib/program/tokens';
import { MAX_IMPORT_CHARS, TOKEN_FILTERS, tokenFiltersToSearch, tokenFormSchema, tokenSerialFormSchema } from '@/lib/program/token-input';

const PATH = '/admin/tokens';

/** The add and edit form: built per request, as its rules depend on the clock (no issue date in the future) and the accounts. */
const tokenForm = async () => tokenFormSchema(new Date(), await managedAccountIds());

export const addTokenAction = defineAction({ name: 'program.token.add', role: 'admin', schema: tokenForm, revalidate: PATH }, (actor, input) => addToken(actor, input));

export const updateTokenAction = defineAction({ name: 'program.token.update', role: 'admin', schema: tokenForm, revalidate: PATH }, (actor, input) => updateToken(actor, input));

export const returnTokenAction = defineAction({ name: 'program.token.update', role: 'admin', schema: tokenSerialFormSchema, revalidate: PATH }, (actor, { serial }) => returnToken(actor, serial));

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
    revalidate: PATH,
  },
  (actor, { csv }) => importTokens(actor, csv),
);
