'use client';

import { useActionState } from 'react';
import { setDefaultCohortAction } from './actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { Select } from '@/components/ui/select';

const NO_DEFAULT_LABEL = 'none: untagged users are not enforced';

/** Which cohort IAM users without an mfa-cohort tag belong to. `options`: [cohort, label] of the program's cohorts. */
export function DefaultCohortForm({ current, options }: { current: string | null; options: [string, string][] }) {
  const [result, save, pending] = useActionState<ActionResult<{ defaultCohort: string | null }>, FormData>(setDefaultCohortAction, idle);
  return (
    <ActionForm action={save} className="space-y-3" aria-label="Users without a cohort tag">
      <div className="sm:max-w-md">
        <Select
          label="Default cohort"
          name="cohort"
          defaultValue={current ?? ''}
          options={[['', NO_DEFAULT_LABEL], ...options]}
          errors={fieldErrors(result)?.cohort}
          hint="For IAM users in an enforced group without an mfa-cohort tag, e.g. created since the last tag reconciliation. With a cohort they are denied from its deadline; with none they are never denied."
        />
      </div>
      <Button type="submit" variant="secondary" disabled={pending} aria-busy={pending}>
        {pending ? 'Saving…' : 'Save default cohort'}
      </Button>
      <ResultAlert result={result} />
    </ActionForm>
  );
}
