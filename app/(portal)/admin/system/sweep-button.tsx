'use client';

import { ActionForm } from '@/components/ui/action-form';
import { useActionState } from 'react';
import { sweepLeftoversAction } from './actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { SweepResult } from '@/lib/enrollment/leftovers';
import { Button } from '@/components/ui/button';
import { ResultAlert } from '@/components/ui/result-alert';

export function SweepButton() {
  const [result, sweep, pending] = useActionState<ActionResult<SweepResult>, FormData>(sweepLeftoversAction, idle);
  return (
    <ActionForm action={sweep} className="space-y-3">
      <p className="text-sm text-slate-700">
        Deletes virtual devices the portal created for setups that were never finished, once they are an hour old. It also runs on a
        schedule (POST /api/cron/sweep-leftovers).
      </p>
      <ResultAlert result={result} />
      <Button type="submit" variant="secondary" disabled={pending} aria-busy={pending}>
        {pending ? 'Cleaning up…' : 'Clean up abandoned setups'}
      </Button>
    </ActionForm>
  );
}
