import Link from 'next/link';
import type { CohortCampaign } from '@/lib/campaign/read-model';
import { REQUEST_KINDS, REQUEST_SOURCES } from '@/lib/campaign/requests';
import { coveragePct } from '@/lib/inventory/coverage-view';
import { formatDate, plural } from '@/lib/format';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { CardSection } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { EnrolledChart } from './enrolled-chart';

const tone: Record<CohortCampaign['projection']['kind'], BadgeTone> = { complete: 'good', 'on-track': 'good', late: 'bad', 'no-progress': 'bad' };
const rate = (n: number) => `${(Math.round(n * 10) / 10).toLocaleString('en-GB')} a day`;
const userHref = (accountId: string, userName: string) => `/admin/users/${accountId}/${encodeURIComponent(userName)}`;

function Figure({ label, children, testId }: { label: string; children: React.ReactNode; testId: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

/** One cohort's campaign: its figures, the enrolled-per-day chart, the requests, and who has done nothing yet. */
export function CohortCard({ c }: { c: CohortCampaign }) {
  const slug = c.cohort.replace(/[^A-Za-z0-9_-]/g, '-');
  const p = c.projection;
  return (
    <CardSection id={`cohort-${slug}`} title={<>Cohort <span className="font-mono break-all">{c.cohort}</span></>} data-testid="cohort-card" data-cohort={c.cohort}>
      <p className="mt-1 text-sm text-slate-700">
        {c.categories.length === 1 ? 'Category' : 'Categories'} {c.categories.join(', ')}; deadline {formatDate(c.deadline)}.
      </p>
      <p className="mt-2 flex flex-wrap items-center gap-2">
        <Badge tone={tone[p.kind]}>
          <span data-testid="projection">{c.projectionText}</span>
        </Badge>
        <span className="text-sm text-slate-700">
          {p.kind === 'late' || p.kind === 'on-track'
            ? `At the last 14 days' rate, everyone is enrolled by ${formatDate(p.completion)}.`
            : p.kind === 'no-progress'
              ? 'Nobody in this cohort enrolled in the last 14 days: no completion date can be projected.'
              : 'Everyone in scope is enrolled.'}
        </span>
      </p>
      <dl className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Figure label="In scope" testId="in-scope">{c.inScope}</Figure>
        <Figure label="Enrolled now" testId="enrolled">
          {c.enrolled} <span className="text-sm font-normal text-slate-600">({coveragePct(c.enrolled, c.inScope)}%)</span>
        </Figure>
        <Figure label="Remaining" testId="remaining">{c.remaining}</Figure>
        <Figure label="Done nothing yet" testId="idle-count">{c.idleCount}</Figure>
        <Figure label="Rate, last 7 days" testId="rate-7">{rate(c.rate7)}</Figure>
        <Figure label="Rate, last 14 days" testId="rate-14">{rate(c.rate14)}</Figure>
        {REQUEST_KINDS.map((k) => {
          const f = c.requests[k];
          return (
            <Figure key={k} label={REQUEST_SOURCES[k].label} testId={`requests-${k}`}>
              {f.available ? f.count : <span className="text-sm font-normal text-slate-600">{f.reason}</span>}
            </Figure>
          );
        })}
      </dl>
      <div className="mt-4">
        <EnrolledChart cohort={c.cohort} series={c.series} />
      </div>
      <h3 className="mt-4 font-medium">Done nothing yet</h3>
      <p className="text-sm text-slate-700">In scope, no MFA device, never opened an enrollment in the portal, and asked for nothing.</p>
      {c.idle.length === 0 ? (
        <p className="mt-1 text-sm">Nobody: everyone in scope has at least started.</p>
      ) : (
        <>
          <DataTable label={`Done nothing yet in cohort ${c.cohort}`} caption={`IAM users in cohort ${c.cohort} who have done nothing yet`} columns={['IAM user', 'Owner', 'Account']} className="mt-2" tableProps={{ 'data-testid': 'idle-users' }}>
            {c.idle.map((u) => (
              <tr key={`${u.accountId}/${u.userName}`} className="border-t border-slate-100 align-top">
                <td className="py-1.5 pr-3 break-all">
                  <Link className="underline" href={userHref(u.accountId, u.userName)}>
                    {u.userName}
                  </Link>
                </td>
                <td className="py-1.5 pr-3 break-all">{u.owner ?? <span className="text-slate-600">No owner tag</span>}</td>
                <td className="py-1.5">{u.accountLabel === u.accountId ? u.accountId : `${u.accountLabel} (${u.accountId})`}</td>
              </tr>
            ))}
          </DataTable>
          {c.idleCount > c.idle.length && <p className="mt-1 text-sm text-slate-700">The first {c.idle.length} of {plural(c.idleCount, 'user')}; the export lists them all.</p>}
        </>
      )}
    </CardSection>
  );
}
