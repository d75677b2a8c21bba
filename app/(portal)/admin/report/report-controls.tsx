'use client';

import { useActionState } from 'react';
import { generateReportAction } from './actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Button } from '@/components/ui/button';
import { ResultAlert } from '@/components/ui/result-alert';

export function GenerateReport() {
  const [result, generate, pending] = useActionState<ActionResult, FormData>(generateReportAction, idle);
  return (
    <ActionForm action={generate} className="print:hidden" aria-label="Generate a validation report">
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Generating…' : 'Generate report now'}
      </Button>
      <ResultAlert result={result} />
    </ActionForm>
  );
}

export function PrintButton() {
  return (
    <Button variant="secondary" className="print:hidden" onClick={() => window.print()}>
      Print
    </Button>
  );
}
