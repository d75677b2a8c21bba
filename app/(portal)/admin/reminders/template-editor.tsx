'use client';

import { useActionState, useId, useState, useTransition } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { TemplateView } from '@/lib/program/messages/store';
import { channelLabel, kindLabel, type EditableKind, type MessageChannel } from '@/lib/program/messages/kinds';
import { PLACEHOLDERS, PLACEHOLDERS_BY_KIND, type MessageValues } from '@/lib/program/messages/placeholders';
import { renderText, templateProblems } from '@/lib/program/messages/render';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { resetTemplateAction, saveTemplateAction, sendTestMessageAction } from './messages/actions';

export type EditorTemplate = { kind: EditableKind; channel: MessageChannel; subject: string; body: string; custom: boolean; updatedBy: string | null; updatedAt: string | null };

/**
 * One template: subject and body, the placeholders it may use, a live preview with the sample's values, and (for
 * the security team) save, send a test of the text as it stands, and reset to the default. Admins read it.
 */
export function TemplateEditor({ template, sample, canEdit, testTo }: { template: EditorTemplate; sample: MessageValues; canEdit: boolean; testTo: string }) {
  const [saved, save, saving] = useActionState<ActionResult<TemplateView>, FormData>(saveTemplateAction, idle);
  const [tested, test, testing] = useActionState<ActionResult<{ to: string }>, FormData>(sendTestMessageAction, idle);
  const [subject, setSubject] = useState(template.subject);
  const [body, setBody] = useState(template.body);
  // Reset puts the default's text back into the fields, which hold what was typed.
  const [reset, doReset, resetting] = useActionState<ActionResult<TemplateView>, FormData>(async (prev, data) => {
    const result = await resetTemplateAction(prev, data);
    if (result.status === 'success') {
      setSubject(result.data.subject);
      setBody(result.data.body);
    }
    return result;
  }, idle);
  const [, startTransition] = useTransition();
  // One result at a time: the last button pressed.
  const [last, setLast] = useState<'save' | 'test'>('save');
  const id = useId();
  const allowed = PLACEHOLDERS_BY_KIND[template.kind];
  const problems = templateProblems(`${subject}\n${body}`, allowed);
  const errors = last === 'test' ? fieldErrors(tested) : fieldErrors(saved);
  const name = `${kindLabel[template.kind]}, ${channelLabel[template.channel]}`;
  const subjectLabel = template.channel === 'email' ? 'Subject' : 'Header';
  const bodyLabel = template.channel === 'email' ? 'Message (plain text; the HTML part is made from it)' : 'Message text';

  return (
    <details className="rounded-lg border border-slate-200 p-3" data-testid={`template-${template.kind}-${template.channel}`}>
      <summary className="cursor-pointer font-medium">
        {name} {template.custom ? <Badge tone="neutral">Edited</Badge> : <Badge tone="good">Default</Badge>}
      </summary>
      {template.custom && template.updatedBy && (
        <p className="mt-2 text-xs text-slate-600">
          Edited by {template.updatedBy}
          {template.updatedAt ? ` on ${template.updatedAt}` : ''}.
        </p>
      )}
      <form
        method="post"
        aria-label={`Template: ${name}`}
        className="mt-3 space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          const submitter = (event.nativeEvent as SubmitEvent).submitter;
          const data = new FormData(event.currentTarget);
          const intent = submitter?.getAttribute('value') === 'test' ? 'test' : 'save';
          setLast(intent);
          startTransition(() => (intent === 'test' ? test(data) : save(data)));
        }}
      >
        <input type="hidden" name="kind" value={template.kind} />
        <input type="hidden" name="channel" value={template.channel} />
        <div>
          <label htmlFor={`${id}-subject`} className="block text-sm font-medium">
            {subjectLabel}
          </label>
          <input
            id={`${id}-subject`}
            name="subject"
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
            readOnly={!canEdit}
            maxLength={200}
            aria-invalid={errors?.subject?.length ? true : undefined}
            aria-describedby={`${id}-subject-error`}
            className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base read-only:bg-slate-50 aria-invalid:border-red-600"
          />
          <p id={`${id}-subject-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
            {errors?.subject?.join(' ')}
          </p>
        </div>
        <div>
          <label htmlFor={`${id}-body`} className="block text-sm font-medium">
            {bodyLabel}
          </label>
          <textarea
            id={`${id}-body`}
            name="body"
            value={body}
            onChange={(e) => setBody(e.target.value)}
            readOnly={!canEdit}
            rows={template.channel === 'email' ? 12 : 4}
            maxLength={5000}
            aria-invalid={errors?.body?.length ? true : undefined}
            aria-describedby={`${id}-body-error ${id}-placeholders`}
            className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-sm read-only:bg-slate-50 aria-invalid:border-red-600"
          />
          <p id={`${id}-body-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
            {errors?.body?.join(' ')}
          </p>
        </div>
        <details id={`${id}-placeholders`} className="text-sm">
          <summary className="cursor-pointer text-slate-700">Placeholders</summary>
          <dl className="mt-2 grid gap-x-4 gap-y-1 sm:grid-cols-[auto_1fr]">
            {allowed.map((p) => (
              <div key={p} className="contents">
                <dt className="font-mono text-xs break-all">{`{{${p}}}`}</dt>
                <dd className="text-xs text-slate-700">{PLACEHOLDERS[p]}</dd>
              </div>
            ))}
          </dl>
        </details>
        <section aria-label={`Preview: ${name}`} className="rounded-lg bg-slate-50 p-3" data-testid="template-preview">
          <h3 className="text-sm font-semibold">Preview</h3>
          {problems.length > 0 ? (
            <p className="mt-1 text-sm text-red-700" data-testid="template-problems">
              {problems.join(' ')}
            </p>
          ) : (
            <>
              <p className="mt-1 text-sm font-semibold break-words" data-testid="preview-subject">
                {renderText(subject, sample).replace(/\s+/g, ' ').trim()}
              </p>
              <p className="mt-2 text-sm break-words whitespace-pre-wrap" data-testid="preview-body">
                {renderText(body, sample)}
              </p>
            </>
          )}
        </section>
        {canEdit && (
          <div className="flex flex-wrap gap-3">
            <Button type="submit" name="intent" value="save" disabled={saving} aria-busy={saving}>
              {saving ? 'Saving…' : 'Save template'}
            </Button>
            <Button type="submit" name="intent" value="test" variant="secondary" disabled={testing} aria-busy={testing}>
              {testing ? 'Sending test…' : template.channel === 'email' ? `Send test to ${testTo}` : 'Send test to the webhook'}
            </Button>
          </div>
        )}
        <ResultAlert result={last === 'test' ? tested : saved} />
      </form>
      {canEdit && template.custom && (
        <form
          method="post"
          aria-label={`Reset: ${name}`}
          className="mt-3"
          onSubmit={(event) => {
            event.preventDefault();
            const data = new FormData(event.currentTarget);
            startTransition(() => doReset(data));
          }}
        >
          <input type="hidden" name="kind" value={template.kind} />
          <input type="hidden" name="channel" value={template.channel} />
          <Button type="submit" variant="danger" disabled={resetting} aria-busy={resetting}>
            Reset to default
          </Button>
          <ResultAlert result={reset} />
        </form>
      )}
    </details>
  );
}
