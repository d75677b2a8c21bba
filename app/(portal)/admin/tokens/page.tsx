import { listManagedAccounts } from '@/lib/accounts/registry';
import Link from 'next/link';
import { Suspense } from 'react';
import { requireRole } from '@/lib/auth/session';
import type { Actor } from '@/lib/auth/types';
import { getTokenReport, listTokens, type InventoryHardware, type TokenList, type TokenReport, type TokenView } from '@/lib/program/tokens';
import { PAGE_SIZE, parseTokenFilters, TOKEN_FILTERS, tokenFiltersToSearch, tokenSerialSchema, type TokenFilter, type TokenFilters } from '@/lib/program/token-input';
import { Alert } from '@/components/ui/alert';
import { Card, CardSection } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { FilterSelect } from '@/components/ui/filter-select';
import { Loading } from '@/components/ui/skeleton';
import { buttonClass } from '@/components/ui/button';
import { FilterActions } from '@/components/ui/filter-actions';
import { formatDateTimeUtc, isoDay, plural } from '@/lib/format';
import { AddTokenForm } from './add-token-form';
import { ImportTokensForm } from './import-tokens-form';
import type { TokenRowData } from './token-fields';
import { TokenRow } from './token-row';
import { UserLink, type UserRef } from './user-link';

export const metadata = { title: 'Hardware tokens' };

const HEADING = 'mb-3 text-xl font-semibold';

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

type ReportListProps = { title: string; id: string; empty: string; count: number; caption: string; columns: string[]; tableClassName?: string; children: React.ReactNode };

/** One list of the comparison: its count in the heading, a sentence when it is empty, else its table. */
function ReportList({ title, id, empty, count, caption, columns, tableClassName = 'min-w-[480px]', children }: ReportListProps) {
  return (
    <section aria-labelledby={id} className="space-y-2" data-testid={id}>
      <h3 id={id} className="font-semibold">
        {title} ({count})
      </h3>
      {count === 0 ? (
        <p className="text-slate-700">{empty}</p>
      ) : (
        <DataTable framed label={title} caption={caption} columns={columns} headClassName="bg-slate-50 text-slate-600 [&_th:first-child]:pl-2" tableClassName={tableClassName}>
          {children}
        </DataTable>
      )}
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
  const accounts = (await listManagedAccounts()).map((a) => ({ id: a.id, label: a.label }));
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
        <CardSection id="add-heading" title="Add a token" headingClassName={HEADING}>
          <AddTokenForm accounts={accounts} today={today} />
        </CardSection>
        <CardSection id="import-heading" title="Import tokens from CSV" headingClassName={HEADING}>
          <ImportTokensForm />
        </CardSection>
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
  const userCell = (user: UserRef) => (
    <td className="py-2 pr-3">
      <UserLink user={user} accountLabel={label(user.accountId)} />
    </td>
  );
  return (
    <Card aria-labelledby="report-heading" className="space-y-4">
      <div>
        <h2 id="report-heading" className="text-xl font-semibold">
          Register against AWS
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          {report.inventoryAt
            ? `Compared with the stored inventory (collected ${formatDateTimeUtc(report.inventoryAt)}, plus enrollments through the portal since).`
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

      <ReportList title="Issued but not enrolled" id="issued-not-enrolled" count={report.issuedNotEnrolled.length} empty="Every issued token is enabled on the IAM user it is issued to." caption="Tokens issued to an IAM user who has not enabled them" columns={['Serial', 'Issued to', 'Issued on', 'Enabled in AWS']} tableClassName="min-w-[560px]">
        {report.issuedNotEnrolled.map((t) => (
          <tr key={t.serial} className="border-t border-slate-100 align-top" data-serial={t.serial}>
            <td className="py-2 pr-3 pl-2 font-mono">{t.serial}</td>
            {userCell(issuedTo(t))}
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
      </ReportList>

      <ReportList title="Enrolled but not in the register" id="not-registered" count={report.enrolledNotRegistered.length} empty="Every hardware token enabled in AWS is in the register." caption="Hardware tokens enabled in AWS whose serial is not in the register" columns={['Serial', 'Enabled on', 'Enabled at']}>
        {report.enrolledNotRegistered.map((d: InventoryHardware) => (
          <tr key={`${d.accountId}/${d.userName}/${d.serial}`} className="border-t border-slate-100" data-serial={d.serial}>
            <td className="py-2 pr-3 pl-2 font-mono">{d.serial}</td>
            {userCell(d)}
            <td className="py-2 pr-3">{d.enabledAt ? formatDateTimeUtc(new Date(d.enabledAt)) : '—'}</td>
          </tr>
        ))}
      </ReportList>

      <ReportList title="Enrolled on someone other than the user it is issued to" id="enrolled-elsewhere" count={report.enrolledOnOther.length} empty="No token is enabled on someone it is not issued to." caption="Tokens enabled on an IAM user other than the one they are issued to" columns={['Serial', 'Issued to', 'Enabled on']}>
        {report.enrolledOnOther.map((t) => (
          <tr key={t.serial} className="border-t border-slate-100 align-top" data-serial={t.serial}>
            <td className="py-2 pr-3 pl-2 font-mono">{t.serial}</td>
            {userCell(issuedTo(t))}
            <td className="py-2 pr-3">
              {t.enrolledOn.map((e) => (
                <span key={`${e.accountId}/${e.userName}`} className="block">
                  <UserLink user={e} accountLabel={label(e.accountId)} />
                </span>
              ))}
            </td>
          </tr>
        ))}
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
          <FilterSelect label="Show" name="filter" value={f.filter} any={null} options={TOKEN_FILTERS.map((v) => [v, `${filterLabels[v]} (${list.counts[v]})`])} />
          <label className="block text-sm font-medium">
            Search
            <input name="q" type="search" defaultValue={f.q} placeholder="Serial or IAM user name" className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base" />
          </label>
          <FilterActions clearHref="/admin/tokens" apply="Apply" />
        </form>
      </Card>
      <p role="status" className="text-sm text-slate-700" data-testid="tokens-total">
        {plural(list.total, 'token')} · {filterLabels[f.filter].toLowerCase()}
        {f.q ? ` matching “${f.q}”` : ''} · page {Math.min(f.page, pages)} of {pages}
      </p>
      <DataTable
        framed
        label="Hardware tokens in the register"
        caption="Hardware tokens in the register"
        headClassName="bg-slate-50 text-slate-600 [&_th:first-child]:pl-2"
        tableClassName="min-w-[880px]"
        columns={['Serial', 'Model', 'Issued to', 'Issued on', 'In AWS', 'Note', 'Actions']}
      >
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
      </DataTable>
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
