'use client';

import { useActionState } from 'react';
import { applyTagsAction } from './actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { ApplyResult } from '@/lib/enforcement/tags';
import { plural } from '@/lib/format';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { ResultAlert } from '@/components/ui/result-alert';
import { useConfirmStep } from '@/components/enforcement/use-confirm-step';
import { ConfirmActions } from '@/components/enforcement/confirm-actions';

/**
 * "Apply N changes" with a confirmation step, then the result and any failures. Rendered also when there is
 * nothing (left) to change, so the result stays on screen after the page refreshes to an empty report.
 */
export function ApplyTags({ changes, users, hash }: { changes: number; users: number; hash: string }) {
  const { open, setOpen, close, panelId, openerId } = useConfirmStep<'apply'>();
  const [result, apply, busy] = useActionState<ActionResult<ApplyResult>, FormData>(async (prev, formData) => {
    const r = await applyTagsAction(prev, formData);
    if (r.status === 'success' || (r.status === 'error' && r.code === 'Changed')) setOpen(null);
    return r;
  }, idle);
  const label = `Apply ${plural(changes, 'change')}`;
  return (
    <div className="space-y-3">
      {changes > 0 && open === null && (
        <Button id={openerId('apply')} aria-expanded={false} aria-controls={panelId} disabled={busy} onClick={() => setOpen('apply')}>
          {label}
        </Button>
      )}
      {changes > 0 && open === 'apply' && (
        <ActionForm id={panelId} action={apply} className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-3" aria-label="Confirm the tag changes">
          <input type="hidden" name="expected" value={hash} />
          <p className="font-medium text-amber-950">
            Change the tags of {plural(users, 'IAM user')} in IAM, as listed above? Each user’s tags are re-read from IAM first; each change is recorded in the audit log with the
            values before and after. If the report has changed since this page was loaded, nothing is changed.
          </p>
          <ConfirmActions
            busy={busy}
            confirm={`Yes, ${label.toLowerCase()}`}
            working={`Applying ${plural(changes, 'change')}…`}
            progress="Tagging one user at a time per account; this can take a while for many users."
            onCancel={close}
          />
        </ActionForm>
      )}
      <ResultAlert result={result} />
      {result.status === 'success' && result.data.failures.length > 0 && (
        <div className="rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900" data-testid="tag-failures">
          <p className="font-semibold">Not changed ({result.data.failures.length}):</p>
          <ul className="mt-1 list-inside list-disc">
            {result.data.failures.map((f) => (
              <li key={`${f.accountId}/${f.userName}`}>
                <span className="font-mono">
                  {f.accountId}/{f.userName}
                </span>
                : {f.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
