import { Suspense } from 'react';
import { FilterSelect } from '@/components/ui/filter-select';
import { PagedResults } from '@/components/ui/pager';
import { requireRole } from '@/lib/auth/session';
import { listAuditPage } from '@/lib/audit/query';
import { AUDIT_ACTIONS } from '@/lib/audit/actions';
import { OUTCOMES, PAGE_SIZES, actionOptions, auditFiltersToSearch, invalidAuditParams, parseAuditFilters, rangeIsEmpty, withoutPaging, type AuditFilters } from '@/lib/audit/filters';
import { diffDetail, otherDetail } from '@/lib/audit/diff';
import type { AuditEntry } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import { Alert } from '@/components/ui/alert';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Skeleton } from '@/components/ui/skeleton';
import { DataTable } from '@/components/ui/data-table';
import { formatDateTimeSeconds } from '@/lib/format';
import { buttonClass } from '@/components/ui/button';
import { FilterActions } from '@/components/ui/filter-actions';

export const metadata = { title: 'Audit log' };

type Params = Record<string, string | string[] | undefined>;

const outcomeTone: Record<AuditEntry['outcome'], BadgeTone> = { intent: 'info', success: 'good', failure: 'bad', denied: 'bad' };
const paramLabels: Record<keyof AuditFilters, string> = { action: 'action', actor: 'actor', target: 'target', outcome: 'outcome', from: 'from', to: 'to', page: 'page', pageSize: 'page size' };

/** "field: before → after" for a recorded change, otherwise the detail's keys. */
function Change({ detail }: { detail: AuditEntry['detail'] }) {
  const changes = diffDetail(detail);
  const other = otherDetail(detail);
  if (changes?.length === 0 && other.length === 0) return <span className="text-slate-600">No field changed</span>;
  if (!changes?.length && other.length === 0) return <span className="text-slate-600">—</span>;
  return (
    <ul className="space-y-0.5">
      {changes?.map((c) => (
        <li key={`c-${c.field}`} className="break-words">
          <span className="font-medium">{c.field}:</span> <span className={c.before === null ? 'text-slate-600' : ''}>{c.before ?? '(none)'}</span>
          <span aria-hidden="true"> → </span>
          <span className="sr-only"> changed to </span>
          <span className={c.after === null ? 'text-slate-600' : ''}>{c.after ?? '(none)'}</span>
        </li>
      ))}
      {other.map((d) => (
        <li key={`d-${d.key}`} className="break-words text-slate-700">
          <span className="font-medium">{d.key}:</span> {d.value}
        </li>
      ))}
    </ul>
  );
}

async function AuditResults({ actor, params }: { actor: Actor; params: Params }) {
  const f = parseAuditFilters(params);
  const ignored = invalidAuditParams(params);
  const { rows, total } = await listAuditPage(actor, f);
  const pages = Math.max(1, Math.ceil(total / f.pageSize));
  const search = (page: number) => `/admin/audit?${auditFiltersToSearch({ ...f, page })}`;
  const exportQuery = auditFiltersToSearch(withoutPaging(f));
  const filtered = Object.values(withoutPaging(f)).some((v) => v !== undefined);
  return (
    <>
      <Card>
        <form method="get" action="/admin/audit" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-label="Filter the audit log">
          <FilterSelect
            label="Action"
            name="action"
            value={f.action}
            options={actionOptions(AUDIT_ACTIONS, f.action).map((a) => [a, a.endsWith('.*') ? `${a} (every ${a.slice(0, -2)} action)` : a])}
          />
          <Field label="Actor" name="actor" type="search" defaultValue={f.actor} hint="Email or ARN; part of it is enough." />
          <Field label="Target" name="target" type="search" defaultValue={f.target} hint="E.g. an IAM user's name or ARN." />
          <FilterSelect label="Outcome" name="outcome" value={f.outcome} options={OUTCOMES.map((o) => [o, o[0]!.toUpperCase() + o.slice(1)])} />
          <Field label="From" name="from" type="date" defaultValue={f.from} hint="Inclusive, UTC." />
          <Field label="To" name="to" type="date" defaultValue={f.to} hint="Inclusive, UTC." />
          <FilterSelect label="Per page" name="pageSize" value={String(f.pageSize)} any={null} options={[...new Set([...PAGE_SIZES, f.pageSize])].sort((a, b) => a - b).map((n) => [String(n), String(n)])} />
          <FilterActions clearHref="/admin/audit" className="lg:col-span-4">
            <a href={`/api/admin/audit/export${exportQuery ? `?${exportQuery}` : ''}`} className={buttonClass('secondary')} download>
              Export CSV
            </a>
          </FilterActions>
        </form>
      </Card>
      {ignored.length > 0 && (
        <Alert tone="warning" title="Some filters were not understood and are ignored">
          {ignored.map((k) => paramLabels[k] ?? k).join(', ')}
        </Alert>
      )}
      {rangeIsEmpty(f) && <Alert tone="warning">The “from” day is after the “to” day, so no entry can match.</Alert>}
      <PagedResults
        testId="audit-total"
        count={`${total} entr${total === 1 ? 'y' : 'ies'}`}
        total={total}
        page={f.page}
        pages={pages}
        href={search}
        empty={rows.length > 0 ? null : filtered ? 'No audit entries match these filters.' : 'Nothing has been recorded yet.'}
      >
        <DataTable
          framed
          label="Audit entries"
          caption="Audit entries matching the filters, newest first"
          tableClassName="min-w-[880px]"
          columns={['When (UTC)', 'Actor', 'Action', 'Target', 'Outcome', 'Change']}
        >
          {rows.map((e) => (
            <tr key={e.id} className="border-t border-slate-100 align-top" data-testid="audit-row" data-action={e.action} data-outcome={e.outcome}>
              <td className="py-2 pr-3 pl-3 whitespace-nowrap">
                <time dateTime={e.at.toISOString()}>{formatDateTimeSeconds(e.at)}</time>
              </td>
              <td className="max-w-56 py-2 pr-3 break-all">{e.actor}</td>
              <td className="py-2 pr-3 font-mono whitespace-nowrap">{e.action}</td>
              <td className="max-w-64 py-2 pr-3 break-all">{e.target ?? '—'}</td>
              <td className="py-2 pr-3">
                <Badge tone={outcomeTone[e.outcome]}>{e.outcome}</Badge>
              </td>
              <td className="min-w-64 py-2 pr-3">
                <Change detail={e.detail} />
              </td>
            </tr>
          ))}
        </DataTable>
      </PagedResults>
    </>
  );
}

const skeleton = (
  <div className="space-y-6">
    <p role="status" aria-live="polite" className="sr-only">
      Loading the audit log…
    </p>
    <Skeleton className="h-56 w-full" />
    <Skeleton className="h-5 w-40" />
    <Skeleton className="h-96 w-full" />
  </div>
);

/**
 * The role check comes before any streaming (no loading.tsx for this segment): once a Suspense
 * fallback has been sent the status is 200, and a member must get a real 403.
 */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Params> }) {
  const actor = await requireRole('admin');
  const params = await searchParams;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Audit log</h1>
        <p className="mt-1 text-slate-700">Every sign-in, enrollment, export and change to the enrollment program, newest first. Times are UTC.</p>
      </div>
      <Suspense key={new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string')).toString()} fallback={skeleton}>
        <AuditResults actor={actor} params={params} />
      </Suspense>
    </div>
  );
}
