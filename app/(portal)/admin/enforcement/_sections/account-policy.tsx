import { MAX_POLICY_VERSIONS } from '@/lib/enforcement/account-state';
import type { AccountPreview } from '@/lib/enforcement/preview';
import { accountStatus, versionToPrune } from '@/lib/enforcement/view-model';
import { plural } from '@/lib/format';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { DiffView } from '@/components/enforcement/diff-view';
import { PolicyVersions } from '../policy-versions';

function GroupStates({ groups, setSize }: { groups: AccountPreview['groups']; setSize: number }) {
  return (
    <ul className="space-y-1 text-sm" data-testid="account-groups">
      {groups.map((g) => (
        <li key={g.name} data-group={g.name} data-state={!g.exists ? 'missing' : g.attached ? 'attached' : 'not-attached'}>
          {!g.exists ? (
            <span className="text-amber-900">
              <span aria-hidden="true">⚠ </span>Group {g.name} does not exist in this account: create it, or nobody there is enforced.
            </span>
          ) : g.attached ? (
            <span>
              <span aria-hidden="true">✓ </span>Attached to group <span className="font-mono">{g.name}</span>.
            </span>
          ) : (
            <span>
              Group <span className="font-mono">{g.name}</span> exists; the deploy attaches the {setSize > 1 ? `${setSize} policies of the set` : 'policy'} to it.
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

function AccountDiff({ a }: { a: AccountPreview }) {
  if (!a.exists)
    return (
      <details className="text-sm">
        <summary className="cursor-pointer underline">The policy a deploy would create here ({plural(a.diff.filter((l) => l.kind === 'add').length, 'line')})</summary>
        <div className="mt-2">
          <DiffView lines={a.diff} label={`The policy a deploy would create in ${a.label}`} />
        </div>
      </details>
    );
  if (a.upToDate) return null;
  return (
    <div className="space-y-1 text-sm">
      <p>
        Changes from <span className="font-mono">{a.defaultVersionId}</span> (in force) to the generated policy{a.desired.length > 1 ? ` set (every policy under its name; a deploy writes them all as one change)` : ''}:
      </p>
      <DiffView lines={a.diff} label={`Changes in ${a.label}`} />
    </div>
  );
}

/** One account: its policy's status, the enforced groups there, the diff a deploy makes, and the retained versions. */
export function AccountPolicy({ a }: { a: AccountPreview }) {
  const status = accountStatus(a);
  const headingId = `account-${a.accountId}`;
  const pruned = versionToPrune(a, MAX_POLICY_VERSIONS);
  return (
    <article aria-labelledby={headingId} className="space-y-3 rounded-lg border border-slate-200 p-3 sm:p-4" data-testid="account-policy" data-account={a.accountId}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={headingId} className="font-semibold">
          {a.label} <span className="font-mono font-normal text-slate-600">({a.accountId})</span>
        </h3>
        <span data-testid="account-status">
          <Badge tone={status.tone}>{status.text}</Badge>
        </span>
      </div>
      <p className="font-mono text-xs break-all text-slate-600">{a.arn}</p>
      {a.error ? (
        <Alert tone="error" title="This account could not be read">
          {a.error} A deploy reports it as failed; the other accounts are not affected.
        </Alert>
      ) : (
        <>
          <GroupStates groups={a.groups} setSize={a.desired.length} />
          <AccountDiff a={a} />
          {a.exists && (
            <section aria-label={`Retained versions in ${a.label}`} className="space-y-1">
              <p className="text-sm text-slate-700">
                Retained versions: IAM keeps {MAX_POLICY_VERSIONS}.{pruned ? ` The next deploy deletes the oldest one that is not the default, ${pruned}.` : ''}
              </p>
              <PolicyVersions accountId={a.accountId} label={a.label} versions={a.versions} />
            </section>
          )}
        </>
      )}
    </article>
  );
}
