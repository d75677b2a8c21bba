import { accountLabels } from '@/lib/accounts/registry';
import { getAccountsState } from '@/lib/accounts/status';
import { UnreachableAccounts } from '@/components/accounts/unreachable-accounts';
import Link from 'next/link';
import { Suspense } from 'react';
import { requireRole } from '@/lib/auth/session';
import { getDashboard, listGaps, type CategoryBreakdown } from '@/lib/inventory/queries';
import { coveragePct, userVerdict } from '@/lib/inventory/coverage-view';
import { TAG_KEYS, filtersToSearch } from '@/lib/inventory/user-filters';
import type { MfaDeviceType } from '@/lib/aws/mfa-devices';
import { deviceTypeLabel, deviceTypeNoun } from '@/lib/device-types';
import type { Actor } from '@/lib/auth/types';
import { rootStatusText, type RootStatus } from '@/lib/inventory/credential-report';
import { Card, CardSection } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { Alert } from '@/components/ui/alert';
import { DataTable } from '@/components/ui/data-table';
import { formatDate, formatDateTimeUtc, plural } from '@/lib/format';
import { CoverageBars, CoverageCells } from '@/components/coverage/bars';
import { BurndownChart } from '@/components/coverage/burndown-chart';
import { HistoryChart } from '@/components/coverage/history-chart';
import { RefreshButton } from './refresh-button';

export const metadata = { title: 'MFA coverage' };

const GAPS_SHOWN = 20;
const usersLink = (f: Record<string, string>) => `/admin/users?${filtersToSearch(f)}`;

function Figure({ label, value, href, testId, note }: { label: string; value: string | number; href?: string; testId: string; note?: React.ReactNode }) {
  // The link covers the whole tile (after:inset-0) but stays inside the dd, so the list stays a valid dl.
  return (
    <div className="relative rounded-lg border border-slate-200 bg-white p-3">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="text-2xl font-bold tabular-nums" data-testid={testId}>
        {href ? (
          <Link href={href} className="after:absolute after:inset-0 after:content-['']">
            {value}
          </Link>
        ) : (
          value
        )}
      </dd>
      {note && <dd className="relative z-10 mt-1 text-xs">{note}</dd>}
    </div>
  );
}

/** Category, cohort and deadline in one cell, so the table fits a phone. */
function CategoryTable({ rows }: { rows: CategoryBreakdown[] }) {
  return (
    <DataTable
      label="Coverage by category"
      caption="Compliant users out of those in scope, per category"
      columns={['Category', 'Compliant / in scope', 'Coverage']}
      tableProps={{ 'data-testid': 'by-category' }}
    >
      {rows.map((c) => (
        <tr key={c.key} className="border-t border-slate-100 align-top">
          <td className="py-1.5 pr-3">
            <Link className="underline" href={usersLink({ category: c.categoryId === null ? 'none' : String(c.categoryId) })}>
              {c.name}
            </Link>
            {c.cohort && (
              <span className="block text-xs text-slate-600">
                cohort <span className="font-mono">{c.cohort}</span>
                {c.deadline ? `, deadline ${formatDate(c.deadline)}` : ''}
              </span>
            )}
          </td>
          <CoverageCells compliant={c.compliant} inScope={c.inScope} />
        </tr>
      ))}
    </DataTable>
  );
}

function RootUser({ status }: { status: RootStatus }) {
  const text = rootStatusText[status];
  if (status === 'no-mfa') return <strong className="text-red-700" data-testid="root-status">{text}</strong>;
  return <span data-testid="root-status">{text}</span>;
}

const olderThan = (date: Date | null, ms: number) => Boolean(date && Date.now() - date.getTime() > ms);

function age(date: Date | null): string {
  if (!date) return 'unknown';
  const minutes = Math.round((Date.now() - date.getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days < 730 ? `${days} days ago` : `${Math.round(days / 365)} years ago (${formatDateTimeUtc(date)})`;
}

async function DashboardBody({ actor }: { actor: Actor }) {
  const labels = await accountLabels();
  // In parallel: on PostgreSQL each query has its own connection (PGlite runs them one after the other anyway).
  const [d, gaps, accounts] = await Promise.all([getDashboard(actor, TAG_KEYS), listGaps(actor, GAPS_SHOWN), getAccountsState(actor)]);
  const unreachable = <UnreachableAccounts accounts={accounts.unreachable} />;
  if (d.headline.users === 0) {
    return (
      <div className="space-y-6">
        {unreachable}
        <Alert tone="info" title="No inventory yet">
          The portal has not collected the IAM users of the managed accounts yet. Run a refresh (it also runs on a schedule when configured).
        </Alert>
      </div>
    );
  }
  const h = d.headline;
  const stale = d.programChangedSinceRun && (
    <Alert tone="warning" title="The program changed since the last inventory run">
      Which users&apos; devices the inventory lists in full depends on the categories and decisions. Until the next refresh, users whose verdict the
      change made depend on a second device (a backup now required, a device type no longer allowed, a certified key) may show a gap they do not have.
    </Alert>
  );
  const burndowns = d.burndown.filter((b): b is typeof b & { deadline: Date } => b.deadline !== null);
  return (
    <div className="space-y-6">
      {unreachable}
      {stale}
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4 lg:grid-cols-8">
        <Figure label="Console users" value={h.consoleUsers} testId="fig-console" href={usersLink({ console: 'yes' })} />
        <Figure label="In scope" value={h.inScope} testId="fig-in-scope" href={usersLink({ scope: 'in' })} />
        <Figure label="Compliant" value={h.withMfa} testId="fig-with" href={usersLink({ scope: 'in', mfa: 'compliant' })} />
        <Figure label="Gaps" value={h.withoutMfa} testId="fig-without" href={usersLink({ mfa: 'gap' })} />
        <Figure
          label="Exceptions"
          value={h.exceptions}
          testId="fig-exceptions"
          href={usersLink({ console: 'yes', decision: 'exception' })}
          note={
            h.expiredExceptions > 0 ? (
              <Link className="text-red-700 underline" href={usersLink({ console: 'yes', decision: 'expired-exception' })} data-testid="fig-expired">
                {h.expiredExceptions} expired (back in scope)
              </Link>
            ) : undefined
          }
        />
        <Figure label="Out of scope" value={h.outOfScope} testId="fig-out" href={usersLink({ console: 'yes', decision: 'out-of-scope' })} />
        <Figure label="Coverage (in scope)" value={`${coveragePct(h.withMfa, h.inScope)}%`} testId="fig-coverage" />
        <Figure
          label="Phishing-resistant"
          value={`${coveragePct(h.phishingResistant, h.inScope)}%`}
          testId="fig-phishing-resistant"
          note={
            <span className="text-slate-600" data-testid="fig-phishing-resistant-count">
              {h.phishingResistant} of {h.inScope} in scope with a {deviceTypeNoun.fido}
            </span>
          }
        />
      </dl>
      <p className="text-xs text-slate-600">
        In scope: console users whose MFA is required (exceptions and out-of-scope users are not, until an exception expires). Compliant: MFA as their
        category requires (allowed device types, a certified key and a backup where required). Phishing-resistant: in scope with at least one
        {` ${deviceTypeNoun.fido}`} (FIDO), the only MFA type a fake sign-in page cannot relay.
      </p>
      <CardSection id="sources-heading" title="Freshness">
        <ul className="mt-2 space-y-1 text-sm">
          {d.sources.map((s) => (
            <li key={s.accountId}>
              <strong>{labels.get(s.accountId) ?? s.accountId}</strong> ({s.accountId}): collected {age(s.collectedAt)}; credential report generated{' '}
              {age(s.credentialReportAt)}
              {olderThan(s.credentialReportAt, 4 * 3600_000) ? ' (older than 4 h: AWS regenerates it at most every 4 hours)' : ''}
              ; root user: <RootUser status={s.rootStatus ?? (s.rootMfaActive === null ? 'not-reported' : s.rootMfaActive ? 'mfa' : 'no-mfa')} />
              {s.unattributedLeftovers.length > 0 ? `; ${plural(s.unattributedLeftovers.length, 'unassigned virtual device')} not attributable to a user` : ''}
              {s.error ? <span className="text-red-700"> — last collection failed: {s.error}</span> : null}
            </li>
          ))}
        </ul>
        <p className="mt-2 text-xs text-slate-600">Enrollments through the portal update these figures at once; other changes show after the next refresh.</p>
      </CardSection>
      {burndowns.length > 0 && (
        <CardSection id="burndown-heading" title="Burndown per cohort">
          <p className="text-sm text-slate-600">Remaining gaps of each enforcement cohort after every inventory run, and now, toward its deadline.</p>
          <div className="mt-3 grid gap-6 sm:grid-cols-2 xl:grid-cols-3">
            {burndowns.map((b) => (
              <BurndownChart key={b.cohort} burndown={b} deadline={b.deadline} />
            ))}
          </div>
        </CardSection>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <CardSection id="history-heading" title="Coverage over time" headingClassName="mb-3 text-lg font-semibold">
          <HistoryChart points={d.history} />
        </CardSection>
        <CardSection id="account-heading" title="By account" headingClassName="mb-3 text-lg font-semibold">
          <CoverageBars rows={d.byAccount} caption="Account" label={(k) => `${labels.get(k) ?? k} (${k})`} href={(k) => usersLink({ account: k, console: 'yes' })} />
        </CardSection>
        {TAG_KEYS.map((k) => (
          <Card key={k} aria-labelledby={`tag-${k}`}>
            <h2 id={`tag-${k}`} className="mb-3 text-lg font-semibold">By {k}</h2>
            <CoverageBars rows={d.byTag[k] ?? []} caption={k} />
          </Card>
        ))}
        <CardSection id="category-heading" title="By category" headingClassName="mb-3 text-lg font-semibold">
          <CategoryTable rows={d.byCategory} />
          {d.byCategory.every((c) => c.categoryId === null) && (
            <p className="mt-2 text-xs text-slate-600">No categories yet: every console user is in scope, and any MFA device counts. The security team defines categories in the program.</p>
          )}
        </CardSection>
        <CardSection id="types-heading" title="By device type" headingClassName="mb-3 text-lg font-semibold">
          <ul className="space-y-1 text-sm">
            {d.byDeviceType.map((t) => (
              <li key={t.type}>
                {deviceTypeLabel[t.type as MfaDeviceType] ?? t.type}: {plural(t.devices, 'device')} on {plural(t.users, 'user')}
              </li>
            ))}
          </ul>
        </CardSection>
      </div>
      <CardSection id="gaps-heading" title="Gaps">
        <p className="text-sm text-slate-600">
          {plural(h.withoutMfa, 'in-scope user')} without MFA as their category requires
          {h.withoutMfa > GAPS_SHOWN ? ` (the first ${GAPS_SHOWN} by name)` : ''}. <Link className="underline" href={usersLink({ mfa: 'gap' })}>See all</Link>
        </p>
        <ul className="mt-3 divide-y divide-slate-100" data-testid="gap-list">
          {gaps.map((r) => {
            const verdict = userVerdict(r);
            return (
              <li key={`${r.accountId}/${r.userName}`} className="py-2 text-sm">
                <Link className="font-mono underline" href={`/admin/users/${r.accountId}/${encodeURIComponent(r.userName)}`}>
                  {r.userName}
                </Link>{' '}
                <span className="text-slate-600">
                  ({labels.get(r.accountId) ?? r.accountId}
                  {r.categoryName ? `, ${r.categoryName}` : ''})
                </span>{' '}
                — <span data-testid="gap-advice">{verdict.advice}</span>
                {verdict.notes.map((n) => (
                  <span key={n} className="block text-xs text-slate-600">{n}</span>
                ))}
              </li>
            );
          })}
        </ul>
      </CardSection>
      {d.lastRun && (
        <p className="text-xs text-slate-600">
          Last inventory run #{d.lastRun.id}: {d.lastRun.status}, started {formatDateTimeUtc(d.lastRun.startedAt)}.
        </p>
      )}
    </div>
  );
}

export default async function CoveragePage() {
  const actor = await requireRole('admin');
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold sm:text-3xl">MFA coverage</h1>
          <p className="mt-1 text-slate-700">Every IAM user with console access in every managed account, and who still lacks MFA as the enrollment program requires.</p>
        </div>
        <RefreshButton />
      </div>
      <Suspense
        fallback={
          <div role="status" className="space-y-3">
            <span className="sr-only">Loading coverage…</span>
            <Skeleton className="h-24" />
            <Skeleton className="h-64" />
          </div>
        }
      >
        <DashboardBody actor={actor} />
      </Suspense>
    </div>
  );
}
