'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { getDb } from '@/lib/db/client';
import { accountIdField } from '@/lib/iam-identifiers';
import { deployEnforcement } from '@/lib/enforcement/deploy';
import { setDefaultCohort } from '@/lib/enforcement/program';
import { rollbackEnforcement } from '@/lib/enforcement/rollback';
import { applyTagDrift } from '@/lib/enforcement/tags';
import { COHORT } from '@/lib/program/program-input';

// Every action here is security-only (defineAction checks it, and the domain functions check it again) and
// its domain function audits it. The names match the audit actions the domain records.

const PATH = '/admin/enforcement';

/** "Changed" means the page is stale: it is refreshed for a new review (a success is refreshed by defineAction). */
const refreshStale = <R extends { status: string; code?: string }>(r: R): R => {
  if (r.status === 'error' && r.code === 'Changed') revalidatePath(PATH);
  return r;
};

const cohortForm = z.object({
  // '' is "none: untagged users are not enforced".
  cohort: z
    .string()
    .trim()
    .refine((v) => v === '' || COHORT.test(v), 'Choose one of the program’s cohorts, or none.'),
});

export const setDefaultCohortAction = defineAction({ name: 'program.settings.update', role: 'security', schema: cohortForm, revalidate: PATH }, async (actor, { cohort }) =>
  setDefaultCohort(await getDb(), actor, cohort === '' ? null : cohort),
);

/** `hash` is the document the person previewed: the domain refuses to deploy anything else. */
const deployForm = z.object({ hash: z.string().regex(/^[0-9a-f]{16}$/, 'Reload the page: the preview it was made from is missing.') });

export const deployEnforcementAction = defineAction({ name: 'enforcement.deploy', role: 'security', schema: deployForm, revalidate: PATH }, async (actor, { hash }) =>
  refreshStale(await deployEnforcement(actor, hash)),
);

const rollbackForm = z.object({
  accountId: accountIdField('An AWS account id has 12 digits.'),
  versionId: z.string().regex(/^v[1-9]\d{0,5}$/, 'A policy version looks like v3.'),
});

export const rollbackEnforcementAction = defineAction({ name: 'enforcement.rollback', role: 'security', schema: rollbackForm, revalidate: PATH }, async (actor, { accountId, versionId }) =>
  rollbackEnforcement(actor, accountId, versionId),
);

/** `expected` is the hash of the report the person reviewed: the domain applies nothing if the report changed. */
const applyTagsForm = z.object({ expected: z.string({ error: 'Reload the page and review the changes again.' }).regex(/^[0-9a-f]{16}$/, 'Reload the page and review the changes again.') });

export const applyTagsAction = defineAction({ name: 'enforcement.tags.apply', role: 'security', schema: applyTagsForm, revalidate: PATH }, async (actor, { expected }) =>
  refreshStale(await applyTagDrift(actor, expected)),
);
