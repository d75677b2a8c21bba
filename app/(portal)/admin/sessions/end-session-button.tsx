'use client';

import { useActionState } from 'react';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { ResultAlert } from '@/components/ui/result-alert';
import { endSessionAction } from './actions';
import { idle, type ActionResult } from '@/lib/actions/result';

export function EndSessionButton({ sessionId, label }: { sessionId: string; label: string }) {
  const [result, end, pending] = useActionState<ActionResult, FormData>(endSessionAction, idle);
  return (
    <ActionForm action={end} method="post" className="space-y-2">
      <input type="hidden" name="sessionId" value={sessionId} />
      <ResultAlert result={result} />
      {result.status !== 'success' && (
        <Button type="submit" variant="secondary" disabled={pending} aria-busy={pending} aria-label={label}>
          {pending ? 'Ending…' : 'End session'}
        </Button>
      )}
    </ActionForm>
  );
}
