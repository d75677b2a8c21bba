'use client';

import { useActionState, useState } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { plural } from '@/lib/format';
import type { Decision } from '@/lib/db/schema';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { Select } from '@/components/ui/select';
import { DecisionDetails } from './decision-details';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';

export type DecisionFormValues = {
  categoryId: number | null;
  decision: Decision | null;
  reason: string;
  /** yyyy-mm-dd */
  expiresAt: string;
};

type Props<T> = {
  /** The route's server action: one user's decision, or the bulk one. */
  action: (state: ActionResult<T>, form: FormData) => Promise<ActionResult<T>>;
  categories: { id: number; name: string }[];
  initial: DecisionFormValues;
  /** What the selector would choose, for the "by selector" option's label. */
  selectorCategory?: string | null;
} & ({ mode: 'single'; accountId: string; userName: string } | { mode: 'bulk'; filters: string; expected: number });

export function DecisionForm<T>(props: Props<T>) {
  const [result, decide, pending] = useActionState<ActionResult<T>, FormData>(props.action, idle);
  const [decision, setDecision] = useState<string>(props.initial.decision ?? '');
  const errors = fieldErrors(result);
  const { initial } = props;
  return (
    <ActionForm action={decide} className="space-y-4" aria-label={props.mode === 'single' ? 'Decision' : 'Bulk decision'}>
      {props.mode === 'single' ? (
        <>
          <input type="hidden" name="accountId" value={props.accountId} />
          <input type="hidden" name="userName" value={props.userName} />
        </>
      ) : (
        <>
          <input type="hidden" name="filters" value={props.filters} />
          <input type="hidden" name="expected" value={props.expected} />
        </>
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        <Select
          label="Category"
          name="categoryId"
          defaultValue={initial.categoryId === null ? '' : String(initial.categoryId)}
          options={[['', props.selectorCategory !== undefined ? `By selector (${props.selectorCategory ?? 'no category'})` : 'By selector'], ...props.categories.map((c): [string, string] => [String(c.id), c.name])]}
          hint="Override the category its selector gives."
          errors={errors?.categoryId}
        />
        <Select
          label="Decision"
          name="decision"
          value={decision}
          onChange={setDecision}
          options={[['', 'The category’s default'], ['required', 'MFA required'], ['exception', 'Exception (another admin approves it)'], ['out-of-scope', 'Out of scope']]}
          errors={errors?.decision}
        />
      </div>
      <DecisionDetails
        decision={decision}
        initial={initial}
        errors={errors}
        expiryHint="At most a year from today. After it, the user is a gap again by themselves. Saving sends a request to the exceptions queue: another admin approves or rejects it."
        reasonExample="To be removed: left the company."
      />
      <ResultAlert result={result} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Saving…' : props.mode === 'single' ? 'Save decision' : `Apply to ${plural(props.expected, 'user')}`}
      </Button>
    </ActionForm>
  );
}
