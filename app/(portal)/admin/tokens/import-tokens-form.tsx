'use client';

import { useActionState, useId, useState } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { importTokensAction } from './actions';

export function ImportTokensForm() {
  const [csv, setCsv] = useState('');
  const [result, importCsv, pending] = useActionState<ActionResult<{ imported: number }>, FormData>(async (prev, formData) => {
    const next = await importTokensAction(prev, formData);
    // Imported: clear the text so the same list is not imported twice (a refused one stays to be corrected).
    if (next.status === 'success') setCsv('');
    return next;
  }, idle);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const id = useId();
  const lineErrors = fieldErrors(result)?.csv;
  return (
    <ActionForm action={importCsv} className="space-y-3" aria-label="Import tokens from CSV">
      <div>
        <label htmlFor={`${id}-file`} className="block text-sm font-medium">
          CSV file
        </label>
        <input
          id={`${id}-file`}
          type="file"
          accept=".csv,text/csv,text/plain"
          aria-describedby={`${id}-file-error`}
          className="mt-1 block w-full text-base"
          onChange={async (event) => {
            const file = event.currentTarget.files?.[0];
            setFileProblem(null);
            if (!file) return;
            if (file.size > 1_000_000) {
              setFileProblem('That file is larger than 1 MB: split it.');
              return;
            }
            setCsv(await file.text());
          }}
        />
        <p id={`${id}-file-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
          {fileProblem}
        </p>
      </div>
      <div>
        <label htmlFor={`${id}-csv`} className="block text-sm font-medium">
          CSV text
        </label>
        <textarea
          id={`${id}-csv`}
          name="csv"
          rows={8}
          value={csv}
          onChange={(e) => setCsv(e.target.value)}
          spellCheck={false}
          aria-invalid={lineErrors?.length ? true : undefined}
          aria-describedby={`${id}-hint ${id}-errors`}
          className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-sm aria-invalid:border-red-600"
          placeholder={'serial,model,accountId,userName,issuedAt\nGAHT12345678,SafeNet OTP 110,111111111111,alice,2026-01-15\nGAHT12345679,SafeNet OTP 110,,,'}
        />
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          First line <code>serial,model,accountId,userName,issuedAt</code>. Leave the last three empty for a token in stock; an empty date means today. Nothing is imported unless every line is right.
        </p>
        <div id={`${id}-errors`} aria-live="polite" className="mt-1 text-sm text-red-700">
          {lineErrors?.length ? (
            <ul className="max-h-64 list-disc space-y-0.5 overflow-y-auto pl-5" data-testid="import-errors">
              {lineErrors.map((e, i) => (
                <li key={i}>{e}</li>
              ))}
            </ul>
          ) : null}
        </div>
      </div>
      <ResultAlert result={result} />
      <Button type="submit" disabled={pending || csv.trim() === ''} aria-busy={pending}>
        {pending ? 'Importing…' : 'Import tokens'}
      </Button>
    </ActionForm>
  );
}
