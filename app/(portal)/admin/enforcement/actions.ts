'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { getDb } from '@/lib/db/client';
import { deployEnforcement, rollbackEnforcement } from '@/lib/enforcement/deploy';
import { setDefaultCohort } from '@/lib/enforcement/program';
import { applyTagDrift } from '@/lib/enforcement/tags';
import { COHORT } from '@/lib/program/program-input';

// Every action here is security-only (defineAction checks it, and the domain functions check it again) and
// its domain function audits it. The names match the audit actions the domain records.

const PATH = '/admin/enforcement';

/** Success changes what the page shows; "Changed" means the page is stale, so it is refreshed for a new review. */
const refreshes = (r: { status: string; code?: string }) => r.status === 'success' || (r.status === 'error' && r.code === 'Changed');

const cohortForm = z.object({
  // '' is "none: untagged users are not enforced".
  cohort: z
    .string()
    .trim()
    .refine((v) => v === '' || COHORT.test(v), 'Choose one of the program’s cohorts, or none.'),
});

export const setDefaultCohortAction = defineAction({ name: 'program.settings.update', role: 'security', schema: cohortForm }, async (actor, { cohort }) => {
  const result = await setDefaultCohort(await getDb(), actor, cohort === '' ? null : cohort);
  if (result.status === 'success') revalidatePath(PATH);
  return result;
});

/** `hash` is the document the person previewed: the domain refuses to deploy anything else. */
const deployForm = z.object({ hash: z.string().regex(/^[0-9a-f]{16}$/, 'Reload the page: the preview it was made from is missing.') });

export const deployEnforcementAction = defineAction({ name: 'enforcement.deploy', role: 'security', schema: deployForm }, async (actor, { hash }) => {
  const result = await deployEnforcement(actor, hash);
  if (refreshes(result)) revalidatePath(PATH);
  return result;
});

const rollbackForm = z.object({
  accountId: z.string().regex(/^\d{12}$/, 'An AWS account id has 12 digits.'),
  versionId: z.string().regex(/^v[1-9]\d{0,5}$/, 'A policy version looks like v3.'),
});

export const rollbackEnforcementAction = defineAction({ name: 'enforcement.rollback', role: 'security', schema: rollbackForm }, async (actor, { accountId, versionId }) => {
  const result = await rollbackEnforcement(actor, accountId, versionId);
  if (result.status === 'success') revalidatePath(PATH);
  return result;
});

/** `expected` is the hash of the report the person reviewed: the domain applies nothing if the report changed. */
const applyTagsForm = z.object({ expected: z.string({ error: 'Reload the page and review the changes again.' }).regex(/^[0-9a-f]{16}$/, 'Reload the page and review the changes again.') });

export const applyTagsAction = defineAction({ name: 'enforcement.tags.apply', role: 'security', schema: applyTagsForm }, async (actor, { expected }) => {
  const result = await applyTagDrift(actor, expected);
  if (refreshes(result)) revalidatePath(PATH);
  return result;
});
