'use client';

import { DataTable } from '@/components/ui/data-table';
import { Fragment, useActionState } from 'react';
import { rollbackEnforcementAction } from './actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { PolicyVersion } from '@/lib/aws/policies';
import { formatDateTime } from '@/lib/format';
import { ActionForm } from '@/components/ui/action-form';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ResultAlert } from '@/components/ui/result-alert';
import { useConfirmStep } from '@/components/enforcement/use-confirm-step';

/**
 * An account's retained versions (IAM keeps five), each non-default one with "Make default": a rollback in one
 * step after a confirmation. The result stays under the table while the page refreshes.
 */
export function PolicyVersions({ accountId, label, versions }: { accountId: string; label: string; versions: PolicyVersion[] }) {
  const { open, setOpen, close, panelId, openerId } = useConfirmStep<string>();
  const [result, rollback, busy] = useActionState<ActionResult<{ versionId: string }>, FormData>(async (prev, formData) => {
    const r = await rollbackEnforcementAction(prev, formData);
    if (r.status === 'success') setOpen(null);
    return r;
  }, idle);
  const current = versions.find((v) => v.isDefault)?.versionId ?? null;
  return (
    <div className="space-y-2">
      <DataTable label={`Retained versions in ${label}`} caption={<>Retained versions of the enforcement policy in {label}</>} boxed columns={['Version', 'Created (UTC)', 'Status']}>
        {versions.map((v) => (
          <Fragment key={v.versionId}>
            <tr className="border-t border-slate-100 align-middle" data-testid="policy-version" data-version={v.versionId} data-default={v.isDefault}>
              <td className="py-2 pr-3 pl-2 font-mono">{v.versionId}</td>
              <td className="py-2 pr-3 whitespace-nowrap">{v.createdAt ? formatDateTime(new Date(v.createdAt)) : '—'}</td>
              <td className="py-2 pr-2">
                {v.isDefault ? (
                  <Badge tone="good">default (in force)</Badge>
                ) : (
                  <Button
                    id={openerId(v.versionId)}
                    variant="secondary"
                    aria-expanded={open === v.versionId}
                    aria-controls={panelId}
                    disabled={busy}
                    onClick={() => setOpen(open === v.versionId ? null : v.versionId)}
                  >
                    Make default<span className="sr-only"> ({v.versionId} in {label})</span>
                  </Button>
                )}
              </td>
            </tr>
            {open === v.versionId && (
              <tr className="bg-amber-50">
                <td colSpan={3} className="p-3">
                  <ActionForm id={panelId} action={rollback} className="space-y-3" aria-label={`Make ${v.versionId} the default in ${label}`}>
                    <input type="hidden" name="accountId" value={accountId} />
                    <input type="hidden" name="versionId" value={v.versionId} />
                    <p className="font-medium text-amber-950">
                      Make {v.versionId} the default version in {label}? Its document is enforced from now on{current ? ` instead of ${current}, which stays retained` : ''}. The next deploy
                      replaces it with what the program generates. When the policy is spread over several, each goes back to its version of the same deploy, together. Recorded in the audit log with the diff.
                    </p>
                    <div className="flex flex-wrap gap-2">
                      <Button type="submit" disabled={busy} aria-busy={busy}>
                        {busy ? `Making ${v.versionId} the default…` : `Yes, make ${v.versionId} the default`}
                      </Button>
                      <Button variant="secondary" onClick={close} disabled={busy}>
                        Cancel
                      </Button>
                    </div>
                  </ActionForm>
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </DataTable>
      <ResultAlert result={result} />
    </div>
  );
}
