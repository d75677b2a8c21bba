'use client';

import { useActionState } from 'react';
import { deleteCategoryAction, moveCategoryAction } from './actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { ResultAlert } from '@/components/ui/result-alert';

export function MoveCategory({ id, name, first, last }: { id: number; name: string; first: boolean; last: boolean }) {
  const [result, move, pending] = useActionState<ActionResult<{ order: string[] }>, FormData>(moveCategoryAction, idle);
  return (
    <div className="flex flex-col gap-1">
      <div className="flex gap-1">
        {(['up', 'down'] as const).map((direction) => (
          <ActionForm key={direction} action={move} aria-label={`Move ${name} ${direction}`}>
            <input type="hidden" name="id" value={id} />
            <input type="hidden" name="direction" value={direction} />
            <Button type="submit" variant="secondary" className="min-w-11 px-2" disabled={pending || (direction === 'up' ? first : last)} aria-label={`Move ${name} ${direction}`}>
              <span aria-hidden>{direction === 'up' ? '↑' : '↓'}</span>
            </Button>
          </ActionForm>
        ))}
      </div>
      {result.status === 'error' && <ResultAlert result={result} />}
    </div>
  );
}

export function DeleteCategory({ id, name }: { id: number; name: string }) {
  const [result, remove, pending] = useActionState<ActionResult<{ id: number }>, FormData>(deleteCategoryAction, idle);
  if (result.status === 'success') return <ResultAlert result={result} />;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer underline">Delete<span className="sr-only"> {name}</span></summary>
      <ActionForm action={remove} className="mt-2 space-y-2" aria-label={`Delete ${name}`}>
        <input type="hidden" name="id" value={id} />
        <p>Its users fall to the next matching category, or to none. Recorded in the audit log.</p>
        <Button type="submit" variant="danger" disabled={pending} aria-busy={pending}>{pending ? 'Deleting…' : `Delete “${name}”`}</Button>
        <ResultAlert result={result} />
      </ActionForm>
    </details>
  );
}
