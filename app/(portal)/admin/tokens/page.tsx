import Link from 'next/link';
import { Suspense } from 'react';
import { requireRole } from '@/lib/auth/session';
import { getEnv } from '@/lib/env';
import type { Actor } from '@/lib/auth/types';
import { getTokenReport, listTokens, type InventoryHardware, type TokenList, type TokenReport, type TokenView } from '@/lib/program/tokens';
import { isoDay, PAGE_SIZE, parseTokenFilters, tokenFiltersToSearch, tokenSerialSchema, type TokenFilter, type TokenFilters } from '@/lib/program/token-input';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { Loading } from '@/components/ui/skeleton';
import { TableHead } from '@/components/ui/table-head';
import { buttonClass } from '@/components/ui/button';
import { AddTokenForm, ImportTokensForm, TokenRow, type TokenRowData } from './token-forms';
import { UserLink } from './user-link';

export const metadata = { title: 'Hardware tokens' };

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const filterLabels: Record<TokenFilter, string> = {
  all: 'All tokens',
  'issued-not-enrolled': 'Issued, not enrolled',
  enrolled: 'Enrolled in AWS',
  unissued: 'Not issued (in stock)',
};

const toRowData = (t: TokenView): TokenRowData => ({
  serial: t.serial,
  model: t.model,
  issuedAccountId: t.issuedAccountId,
  issuedUserName: t.issuedUserName,
  issuedAt: t.issuedAt ? isoDay(t.issuedAt) : null,
  note: t.note,
  status: t.status,
  enrolledOn: t.enrolledOn.map((e) => ({ accountId: e.accountId, userName: e.userName })),
});

const issuedTo = (t: TokenView) => ({ accountId: t.issuedAccountId!, userName: t.issuedUserName! });

function Count({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="rounded-lg border border-slate-200 p-3">
      <dt className="text-sm text-slate-700">{label}</dt>
      <dd className={`text-2xl font-bold ${value > 0 ? 'text-red-800' : 'text-emerald-800'}`} data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

/** A table in a container that scrolls sideways on a phone instead of squeezing the columns. */
function Scroll({ children }: { children: React.ReactNode }) {
  return <div className="relative overflow-x-auto rounded-lg border border-slate-200">{children}</div>;
}

function ReportList({ title, id, empty, children, count }: { title: string; id: string; empty: string; count: number; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-2" data-testid={id}>
      <h3 id={id} className="font-semibold">
        {title} ({count})
      </h3>
      {count === 0 ? <p className="text-slate-700">{empty}</p> : <Scroll>{children}</Scroll>}
    </section>
  );
}

type Accounts = { id: string; label: string }[];
type Data = Promise<[TokenList, TokenReport]>;

// No loading.tsx: the 403 must be decided before any HTML streams (see app/(portal)/layout.tsx). The register
// and the report stream in <Suspense> instead, from one read of the register and the inventory.
export default async function TokensPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireRole('admin');
  const params = await searchParams;
  const f: TokenFilters = parseTokenFilters(params);
  const removed = tokenSerialSchema.safeParse(params.removed);
  const accounts = getEnv().MFA_ACCOUNTS.map((a) => ({ id: a.id, label: a.label }));
  const today = isoDay(new Date());
  const data: Data = load(actor, f);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Hardware tokens</h1>
        <p className="mt-1 text-slate-700">The organisation&apos;s hardware TOTP tokens, who each is issued to, and how that compares with the tokens enabled in AWS.</p>
      </div>
      {removed.success && <Alert tone="success">Token {removed.data} removed from the register.</Alert>}
      <Suspense key={`report-${tokenFiltersToSearch(f)}`} fallback={<Loading label="Comparing the register with the inventory…" className="h-64" />}>
        <Report data={data} accounts={accounts} />
      </Suspense>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card aria-labelledby="add-heading">
          <h2 id="add-heading" className="mb-3 text-xl font-semibold">
            Add a token
          </h2>
          <AddTokenForm accounts={accounts} today={today} />
        </Card>
        <Card aria-labelledby="import-heading">
          <h2 id="import-heading" className="mb-3 text-xl font-semibold">
            Import tokens from CSV
          </h2>
          <ImportTokensForm />
        </Card>
      </div>
      <section aria-labelledby="register-heading" className="space-y-3">
        <h2 id="register-heading" className="text-xl font-semibold">
          Register
        </h2>
        <Suspense key={`register-${tokenFiltersToSearch(f)}`} fallback={<Loading label="Loading the register…" className="h-96" />}>
          <Register data={data} f={f} accounts={accounts} today={today} />
        </Suspense>
      </section>
    </div>
  );
}

async function load(actor: Actor, f: TokenFilters): Data {
  return Promise.all([listTokens(actor, f), getTokenReport(actor)]);
}


async function Report({ data, accounts }: { data: Data; accounts: Accounts }) {
  const [, report] = await data;
  const label = (id: string) => accounts.find((a) => a.id === id)?.label ?? id;
  return (
    <Card aria-labelledby="report-heading" className="space-y-4">
      <div>
        <h2 id="report-heading" className="text-xl font-semibold">
          Register against AWS
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          {report.inventoryAt
            ? `Compared with the stored inventory (collected ${when.format(report.inventoryAt)} UTC, plus enrollments through the portal since).`
            : 'Compared with the stored inventory.'}
        </p>
      </div>
      {!report.inventoryAt && (
        <Alert tone="warning" title="No inventory yet">
          Until the first inventory is collected every issued token counts as not enrolled. <Link className="underline" href="/admin">Refresh the inventory on the dashboard</Link>.
        </Alert>
      )}
      <dl className="grid gap-3 sm:grid-cols-3">
        <Count label="Issued, not enrolled" value={report.issuedNotEnrolled.length} testId="count-issued-not-enrolled" />
        <Count label="Enrolled, not in the register" value={report.enrolledNotRegistered.length} testId="count-not-registered" />
        <Count label="Enrolled on someone else" value={report.enrolledOnOther.length} testId="count-enrolled-elsewhere" />
      </dl>

      <ReportList title="Issued but not enrolled" id="issued-not-enrolled" count={report.issuedNotEnrolled.length} empty="Every issued token is enabled on the IAM user it is issued to.">
        <table className="w-full min-w-[560px] text-left text-sm">
          <caption className="sr-only">Tokens issued to an IAM user who has not enabled them</caption>
          <TableHead className="bg-slate-50 text-slate-600 [&_th:first-child]:pl-2" columns={['Serial', 'Issued to', 'Issued on', 'Enabled in AWS']} />
          <tbody>
            {report.issuedNotEnrolled.map((t) => (
              <tr key={t.serial} className="border-t border-slate-100 align-top" data-serial={t.serial}>
                <td className="py-2 pr-3 pl-2 font-mono">{t.serial}</td>
                <td className="py-2 pr-3">
                  <UserLink user={issuedTo(t)} accountLabel={label(t.issuedAccountId!)} />
                </td>
                <td className="py-2 pr-3">{t.issuedAt ? isoDay(t.issuedAt) : '—'}</td>
                <td className="py-2 pr-3">
                  {t.enrolledOn.length === 0
                    ? 'Not enabled on any IAM user'
                    : t.enrolledOn.map((e) => (
                        <span key={`${e.accountId}/${e.userName}`} className="block">
                          On a different user: <UserLink user={e} accountLabel={label(e.accountId)} />
                        </span>
                      ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ReportList>

      <ReportList title="Enrolled but not in the register" id="not-registered" count={report.enrolledNotRegistered.length} empty="Every hardware token enabled in AWS is in the register.">
        <table className="w-full min-w-[480px] text-left text-sm">
          <caption className="sr-only">Hardware tokens enabled in AWS whose serial is not in the register</caption>
          <TableHead className="bg-slate-50 text-slate-600 [&_th:first-child]:pl-2" columns={['Serial', 'Enabled on', 'Enabled at']} />
          <tbody>
            {report.enrolledNotRegistered.map((d: InventoryHardware) => (
              <tr key={`${d.accountId}/${d.userName}/${d.serial}`} className="border-t border-slate-100" data-serial={d.serial}>
                <td className="py-2 pr-3 pl-2 font-mono">{d.serial}</td>
                <td className="py-2 pr-3">
                  <UserLink user={d} accountLabel={label(d.accountId)} />
                </td>
                <td className="py-2 pr-3">{d.enabledAt ? `${when.format(new Date(d.enabledAt))} UTC` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ReportList>

      <ReportList title="Enrolled on someone other than the user it is issued to" id="enrolled-elsewhere" count={report.enrolledOnOther.length} empty="No token is enabled on someone it is not issued to.">
        <table className="w-full min-w-[480px] text-left text-sm">
          <caption className="sr-only">Tokens enabled on an IAM user other than the one they are issued to</caption>
          <TableHead className="bg-slate-50 text-slate-600 [&_th:first-child]:pl-2" columns={['Serial', 'Issued to', 'Enabled on']} />
          <tbody>
            {report.enrolledOnOther.map((t) => (
              <tr key={t.serial} className="border-t border-slate-100 align-top" data-serial={t.serial}>
                <td className="py-2 pr-3 pl-2 font-mono">{t.serial}</td>
                <td className="py-2 pr-3">
                  <UserLink user={issuedTo(t)} accountLabel={label(t.issuedAccountId!)} />
                </td>
                <td className="py-2 pr-3">
                  {t.enrolledOn.map((e) => (
                    <span key={`${e.accountId}/${e.userName}`} className="block">
                      <UserLink user={e} accountLabel={label(e.accountId)} />
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ReportList>
    </Card>
  );
}

async function Register({ data, f, accounts, today }: { data: Data; f: TokenFilters; accounts: Accounts; today: string }) {
  const [list] = await data;
  const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
  const page = (n: number) => `/admin/tokens?${tokenFiltersToSearch({ ...f, page: n })}`;
  return (
    <>
      <Card>
        <form method="get" action="/admin/tokens" className="grid gap-3 sm:grid-cols-3" aria-label="Filter the register">
          <label className="block text-sm font-medium">
            Show
            <select name="filter" defaultValue={f.filter} className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-2 py-2 text-base">
              {Object.entries(filterLabels).map(([v, l]) => (
                <option key={v} value={v}>
                  {l} ({list.counts[v as TokenFilter]})
                </option>
              ))}
            </select>
          </label>
          <label className="block text-sm font-medium">
            Search
            <input name="q" type="search" defaultValue={f.q} placeholder="Serial or IAM user name" className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base" />
          </label>
          <div className="flex flex-wrap items-end gap-2">
            <button type="submit" className={buttonClass('primary')}>
              Apply
            </button>
            <Link href="/admin/tokens" className={buttonClass('secondary')}>
              Clear
            </Link>
          </div>
        </form>
      </Card>
      <p role="status" className="text-sm text-slate-700" data-testid="tokens-total">
        {list.total} token{list.total === 1 ? '' : 's'} · {filterLabels[f.filter].toLowerCase()}
        {f.q ? ` matching “${f.q}”` : ''} · page {Math.min(f.page, pages)} of {pages}
      </p>
      <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <table className="w-full min-w-[880px] text-left text-sm">
          <caption className="sr-only">Hardware tokens in the register</caption>
          <TableHead className="bg-slate-50 text-slate-600 [&_th:first-child]:pl-2" columns={['Serial', 'Model', 'Issued to', 'Issued on', 'In AWS', 'Note', 'Actions']} />
          <tbody>
            {list.rows.map((t) => (
              <TokenRow key={t.serial} token={toRowData(t)} accounts={accounts} today={today} filter={f.filter} q={f.q ?? ''} />
            ))}
            {list.rows.length === 0 && (
              <tr>
                <td colSpan={7} className="p-4 text-slate-700">
                  {list.counts.all === 0 && !f.q ? 'The register is empty: add a token or import a list above.' : 'No tokens match this filter.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav aria-label="Pages" className="flex flex-wrap gap-2">
          {f.page > 1 && (
            <Link className={buttonClass('secondary')} href={page(f.page - 1)}>
              Previous page
            </Link>
          )}
          {f.page < pages && (
            <Link className={buttonClass('secondary')} href={page(f.page + 1)}>
              Next page
            </Link>
          )}
        </nav>
      )}
    </>
  );
}
