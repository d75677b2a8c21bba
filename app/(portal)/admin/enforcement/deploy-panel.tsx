'use client';

import { DataTable } from '@/components/ui/data-table';
import { useActionState } from 'react';
import { deployEnforcementAction } from './actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import type { DeployOutcome } from '@/lib/enforcement/deploy';
import type { AccountRef, PendingAccount } from '@/lib/enforcement/view-model';
import { plural } from '@/lib/format';
import { ActionForm } from '@/components/ui/action-form';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ResultAlert } from '@/components/ui/result-alert';
import { useConfirmStep } from '@/components/enforcement/use-confirm-step';
import { ConfirmActions } from '@/components/enforcement/confirm-actions';

const outcomeBadge: Record<DeployOutcome['status'], [BadgeTone, string]> = {
  created: ['good', 'created'],
  updated: ['good', 'updated'],
  unchanged: ['neutral', 'unchanged'],
  failed: ['bad', 'failed'],
};

function Outcomes({ outcomes, accounts }: { outcomes: DeployOutcome[]; accounts: AccountRef[] }) {
  const label = (id: string) => accounts.find((a) => a.accountId === id)?.label ?? id;
  return (
    <DataTable label="What the deploy did in each account" caption="What the deploy did in each account" boxed tableClassName="min-w-[560px]" tableProps={{ 'data-testid': 'deploy-outcomes' }} columns={['Account', 'Result', 'Default version', 'Details']}>
      {outcomes.map((o) => {
        const [tone, text] = outcomeBadge[o.status];
        return (
          <tr key={o.accountId} className="border-t border-slate-100 align-top" data-testid="deploy-outcome" data-account={o.accountId} data-status={o.status}>
            <td className="py-2 pr-3 pl-2">
              {label(o.accountId)} <span className="font-mono text-slate-600">({o.accountId})</span>
            </td>
            <td className="py-2 pr-3">
              <Badge tone={tone}>{text}</Badge>
            </td>
            <td className="py-2 pr-3 font-mono">{o.versionId ?? '—'}</td>
            <td className="py-2 pr-3">
              <ul className="space-y-0.5">
                {o.error && <li className="text-red-800">{o.error}</li>}
                {o.policies.length > 1 && (
                  <li data-testid="deploy-outcome-policies">
                    The set: {o.policies.map((p) => `${p.name} ${p.status}${p.versionId ? ` (${p.versionId})` : ''}`).join('; ')}.
                  </li>
                )}
                {o.deletedVersion && <li>Deleted the oldest retained version, {o.deletedVersion}, to make room (IAM keeps five).</li>}
                {o.attached.length > 0 && <li>Attached to {o.attached.join(', ')}.</li>}
                {o.missingGroups.map((g) => (
                  <li key={g} className="text-amber-900">
                    Group {g} does not exist in this account: create it, or nobody there is enforced.
                  </li>
                ))}
                {!o.error && !o.deletedVersion && o.attached.length === 0 && o.missingGroups.length === 0 && <li className="text-slate-600">Nothing else to do.</li>}
              </ul>
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

/**
 * "Deploy to N accounts", with a confirmation step that lists what changes where, and the outcome per account
 * afterwards. Always rendered (also when there is nothing to deploy) so the outcome survives the page's refresh.
 */
export function DeployPanel({
  hash,
  accounts,
  pending,
  unreadable,
  blocked,
}: {
  hash: string;
  accounts: AccountRef[];
  pending: PendingAccount[];
  unreadable: AccountRef[];
  blocked: boolean;
}) {
  const { open, setOpen, close, panelId, openerId } = useConfirmStep<'deploy'>();
  const [result, deploy, busy] = useActionState<ActionResult<DeployOutcome[]>, FormData>(async (prev, formData) => {
    const r = await deployEnforcementAction(prev, formData);
    // Done, or the preview was stale (the page has been refreshed): either way this confirmation is over.
    if (r.status === 'success' || (r.status === 'error' && r.code === 'Changed')) setOpen(null);
    return r;
  }, idle);
  const n = pending.length;
  const reason = blocked
    ? 'Deploying is blocked: see the blockers under Status.'
    : n === 0
      ? 'Every account already has this version, attached to every enforced group that exists there.'
      : null;
  const label = n === 0 ? 'Deploy' : `Deploy to ${plural(n, 'account')}`;
  return (
    <div className="space-y-3">
      {reason ? (
        <p id={`${panelId}-reason`} className="text-sm" data-testid="deploy-disabled-reason">
          {reason}
        </p>
      ) : (
        <ul className="list-inside list-disc text-sm" data-testid="deploy-pending">
          {pending.map((a) => (
            <li key={a.accountId}>
              {a.label} <span className="font-mono text-slate-600">({a.accountId})</span>: {a.change}
            </li>
          ))}
        </ul>
      )}
      {unreadable.length > 0 && (
        <p className="text-sm text-amber-900">
          {unreadable.map((a) => `${a.label} (${a.accountId})`).join(', ')} could not be read and will be reported as failed; see its row above.
        </p>
      )}
      {open === null && (
        <Button
          id={openerId('deploy')}
          disabled={reason !== null || busy}
          aria-describedby={reason ? `${panelId}-reason` : undefined}
          aria-expanded={false}
          aria-controls={panelId}
          onClick={() => setOpen('deploy')}
        >
          {label}
        </Button>
      )}
      {open === 'deploy' && reason === null && (
        <ActionForm id={panelId} action={deploy} className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-3" aria-label="Confirm the deploy">
          <input type="hidden" name="hash" value={hash} />
          <p className="font-medium text-amber-950">
            Deploy this policy to {plural(n, 'account')}? It becomes the default version at once: from each cohort’s deadline, IAM users in the enforced groups without MFA are denied
            everything but MFA self-service (see Impact). Each account’s change is recorded in the audit log with its diff, and can be rolled back to a retained version.
          </p>
          <ConfirmActions
            busy={busy}
            confirm={`Yes, deploy to ${plural(n, 'account')}`}
            working={`Deploying to ${plural(n, 'account')}…`}
            progress="Creating the policy version and attaching it in each account; this can take a minute. Keep this page open."
            onCancel={close}
          />
        </ActionForm>
      )}
      <ResultAlert result={result} />
      {result.status === 'success' && <Outcomes outcomes={result.data} accounts={accounts} />}
    </div>
  );
}
