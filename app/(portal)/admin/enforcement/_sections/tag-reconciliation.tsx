import Link from 'next/link';
import { COHORT_TAG, EXEMPT_TAG } from '@/lib/enforcement/policy';
import type { DriftReport } from '@/lib/enforcement/tags';
import { driftSummary, type AccountLabels } from '@/lib/enforcement/view-model';
import { plural } from '@/lib/format';
import { ApplyTags } from '../apply-tags';
import { DataTable } from '@/components/ui/data-table';
import { SectionCard } from './section-card';
import { UserLink } from './user-link';

function DriftTable({ changes, labels }: { changes: DriftReport['changes']; labels: AccountLabels }) {
  return (
    <DataTable label="Tag changes" caption="Tags that differ from the program, per IAM user" boxed tableClassName="min-w-[560px]" tableProps={{ 'data-testid': 'drift' }} columns={['IAM user', 'Tag', 'Now', 'The program wants']}>
      {changes.map((c) => (
        <tr key={`${c.accountId}/${c.userName}/${c.key}`} className="border-t border-slate-100 align-top" data-testid="drift-row" data-user={c.userName} data-tag={c.key}>
          <td className="py-2 pr-3 pl-2">
            <UserLink user={c} labels={labels} className="font-mono underline" />
          </td>
          <td className="py-2 pr-3 font-mono">
            {c.key}
            {c.actualKey && c.actualKey !== c.key && <span className="block font-sans text-xs text-slate-600">set as {c.actualKey}</span>}
          </td>
          <td className="py-2 pr-3">{c.actual === null ? <span className="text-slate-600 italic">absent</span> : <span className="font-mono">{c.actual}</span>}</td>
          <td className="py-2 pr-3">{c.desired === null ? <span className="italic">remove</span> : <span className="font-mono">{c.desired}</span>}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/** The mfa-cohort and mfa-exempt tags that differ from the program, and "Apply N changes". */
export async function TagReconciliation({ drift, labels }: { drift: Promise<DriftReport>; labels: AccountLabels }) {
  const { changes, usersChecked, hash } = await drift;
  const { users, shown, hidden } = driftSummary(changes);
  return (
    <SectionCard id="tags-heading" title="Tag reconciliation" className="space-y-3">
      <p className="text-sm text-slate-700">
        The policy reads each IAM user’s <span className="font-mono">{COHORT_TAG}</span> (their category’s cohort) and <span className="font-mono">{EXEMPT_TAG}</span> (true for an
        approved, unexpired exception) tags. Only the portal may change them. Compared with the stored inventory; applying re-reads each user’s tags from IAM first.
      </p>
      {changes.length === 0 ? (
        <p className="font-medium text-emerald-800" data-testid="drift-empty">
          Every user’s {COHORT_TAG} and {EXEMPT_TAG} tags match the program.{' '}
          <span className="font-normal text-slate-700">({plural(usersChecked, 'user')} checked.)</span>
        </p>
      ) : (
        <>
          <p className="font-medium" data-testid="drift-count">
            {plural(changes.length, 'change')} on {plural(users, 'IAM user')} ({plural(usersChecked, 'user')} checked).
          </p>
          <DriftTable changes={shown} labels={labels} />
          {hidden > 0 && (
            <p className="text-sm">
              And {plural(hidden, 'more change')} not shown here; applying changes them too.{' '}
              <Link className="underline" href="/admin/users">
                Browse the users
              </Link>
            </p>
          )}
        </>
      )}
      <ApplyTags changes={changes.length} users={users} hash={hash} />
    </SectionCard>
  );
}
