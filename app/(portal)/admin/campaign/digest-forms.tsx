'use client';

import { useActionState } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { DigestPreview, DigestRunSummary } from '@/lib/campaign/digest';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { ResultAlert } from '@/components/ui/result-alert';
import { previewDigestAction, sendDigestNowAction } from './actions';

export function DigestForms({ canSend }: { canSend: boolean }) {
  const [preview, runPreview, previewing] = useActionState<ActionResult<DigestPreview>, FormData>(previewDigestAction, idle);
  const [sent, send, sending] = useActionState<ActionResult<DigestRunSummary>, FormData>(sendDigestNowAction, idle);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-3">
        <ActionForm action={runPreview} aria-label="Preview digest">
          <Button type="submit" variant="secondary" disabled={previewing} aria-busy={previewing}>
            {previewing ? 'Composing…' : 'Preview digest'}
          </Button>
        </ActionForm>
        <ActionForm action={send} aria-label="Send digest now">
          <Button type="submit" disabled={sending || !canSend} aria-busy={sending}>
            {sending ? 'Sending…' : 'Send now'}
          </Button>
        </ActionForm>
      </div>
      <ResultAlert result={sent} />
      {preview.status === 'error' && <ResultAlert result={preview} />}
      {preview.status === 'success' && (
        <section aria-label="Digest preview" className="rounded-lg border border-slate-200 bg-slate-50 p-3" data-testid="digest-preview">
          <p className="font-medium break-words">{preview.data.subject}</p>
          <pre className="mt-2 text-sm break-words whitespace-pre-wrap">{preview.data.text}</pre>
        </section>
      )}
    </div>
  );
}
