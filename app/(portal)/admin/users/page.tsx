import { listManagedAccounts } from '@/lib/accounts/registry';
import { getAccountsState } from '@/lib/accounts/status';
import { UnreachableAccounts } from '@/components/accounts/unreachable-accounts';
import Link from 'next/link';
import { FilterSelect } from '@/components/ui/filter-select';
import { Pager } from '@/components/ui/pager';
import { requireRole } from '@/lib/auth/session';
import { listCategoryOptions, listInventoryUsers, type InventoryRow } from '@/lib/inventory/queries';
import { remediationFor } from '@/lib/inventory/coverage-view';
import { flagLabel, type InventoryFlag } from '@/lib/inventory/classify';
import { FLAGS, TAG_KEYS, filtersToSearch, parseUserFilters, type UserFilters } from '@/lib/inventory/user-filters';
import { deviceTypeLabel } from '@/lib/device-types';
import { decisionLabel, programGapText } from '@/lib/program/resolve';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { buttonClass } from '@/components/ui/button';
import { FilterActions } from '@/components/ui/filter-actions';
import { DataTable } from '@/components/ui/data-table';
import { formatDate, plural } from '@/lib/format';

export const metadata = { title: 'IAM users' };

const stateLabel = { enabled: 'MFA enabled', none: 'No MFA', 'leftover-only': 'Unfinished set-up' } as const;

function DecisionBadge({ row }: { row: InventoryRow }) {
  if (row.exceptionExpired) {
    return (
      <>
        <Badge tone="bad">Exception expired</Badge>
        {row.expiresAt && <span className="block text-xs text-slate-600">on {formatDate(row.expiresAt)}</span>}
      </>
    );
  }
  const tone = row.decision === 'required' ? 'neutral' : 'info';
  return (
    <>
      <Badge tone={tone}>{decisionLabel[row.decision]}</Badge>
      {row.decision === 'exception' && row.expiresAt && <span className="block text-xs text-slate-600">until {formatDate(row.expiresAt)}</span>}
      {row.decisionSource === 'user' && <span className="sr-only"> (decided for this user)</span>}
      {!row.consoleAccess && row.decision === 'required' && <span className="block text-xs text-slate-600">no console password: not in scope</span>}
    </>
  );
}

function SortHeader({ f, sort, children }: { f: UserFilters; sort: UserFilters['sort']; children: React.ReactNode }) {
  const active = f.sort === sort;
  const dir = active && f.dir === 'asc' ? 'desc' : 'asc';
  return (
    <th scope="col" className="py-2 pr-3 font-medium" aria-sort={active ? (f.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <Link className="underline" href={`/admin/users?${filtersToSearch({ ...f, sort, dir, page: 1 })}`}>
        {children}
        {active ? (f.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </Link>
    </th>
  );
}

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireRole('admin');
  const f = parseUserFilters(await searchParams);
  const [{ rows, total }, categories] = await Promise.all([listInventoryUsers(actor, f), listCategoryOptions(actor)]);
  const [accounts, { unreachable }] = await Promise.all([listManagedAccounts(), getAccountsState(actor)]);
  const labels = new Map(accounts.map((a) => [a.id, a.label]));
  const pages = Math.max(1, Math.ceil(total / f.pageSize));
  const exportQuery = filtersToSearch({ ...f, page: undefined, pageSize: undefined, sort: undefined, dir: undefined });
  const categoryNames = new Map(categories.map((c) => [String(c.id), c.name]));
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">IAM users</h1>
        <p className="mt-1 text-slate-700">Every IAM user in every managed account, from the latest inventory and the portal&apos;s own changes.</p>
      </div>
      <UnreachableAccounts accounts={unreachable} />
      <Card>
        <form method="get" action="/admin/users" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-label="Filter IAM users">
          <label className="block text-sm font-medium lg:col-span-2">
            Search
            <input name="q" type="search" defaultValue={f.q} placeholder="User name, ARN or tag value" className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base" />
          </label>
          <FilterSelect label="Account" name="account" value={f.account} options={accounts.map((a) => [a.id, `${a.label} (${a.id})${unreachable.some((u) => u.id === a.id) ? ', unreachable' : ''}`])} />
          <FilterSelect label="Console access" name="console" value={f.console} options={[['yes', 'Yes'], ['no', 'No']]} />
          <FilterSelect
            label="MFA"
            name="mfa"
            value={f.mfa}
            options={[['enabled', 'Enabled'], ['none', 'None'], ['leftover-only', 'Unfinished set-up'], ['gap', 'Gap (in scope, not as the category requires)'], ['compliant', 'As the category requires']]}
          />
          <FilterSelect label="Scope" name="scope" value={f.scope} options={[['in', 'In scope (MFA required)'], ['out', 'Not in scope']]} />
          <FilterSelect label="Category" name="category" value={f.category} options={[...categories.map((c): [string, string] => [String(c.id), c.name]), ['none', 'No category']]} />
          <FilterSelect
            label="Decision"
            name="decision"
            value={f.decision}
            options={[['required', decisionLabel.required], ['exception', `${decisionLabel.exception} (in force)`], ['expired-exception', 'Expired exception'], ['out-of-scope', decisionLabel['out-of-scope']]]}
          />
          <FilterSelect label="Flag" name="flag" value={f.flag} options={FLAGS.map((x) => [x, flagLabel[x]])} />
          <FilterSelect label="Tag" name="tagKey" value={f.tagKey} options={TAG_KEYS.map((k) => [k, k])} />
          <label className="block text-sm font-medium">
            Tag value
            <input name="tagValue" defaultValue={f.tagValue} className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base" />
          </label>
          <FilterActions clearHref="/admin/users" className="lg:col-span-4">
            <a href={`/api/admin/inventory/export?format=csv&${exportQuery}`} className={buttonClass('secondary')} download>
              Export CSV
            </a>
            <a href={`/api/admin/inventory/export?format=json&${exportQuery}`} className={buttonClass('secondary')} download>
              Export JSON
            </a>
          </FilterActions>
        </form>
      </Card>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p role="status" className="text-sm text-slate-700" data-testid="users-total">
          {total} user{total === 1 ? '' : 's'} · page {f.page} of {pages}
          {f.category ? ` · category: ${f.category === 'none' ? 'none' : (categoryNames.get(f.category) ?? 'deleted')}` : ''}
        </p>
        {total > 0 && (
          <Link className={buttonClass('secondary')} href={`/admin/decisions/bulk?${exportQuery}`} data-testid="bulk-decide">
            Decide for these {plural(total, 'user')}
          </Link>
        )}
      </div>
      <DataTable
        framed
        label="IAM users"
        caption="IAM users matching the filters"
        tableClassName="min-w-[960px]"
        head={
          <thead className="bg-slate-50 text-slate-600">
            <tr>
              <SortHeader f={f} sort="name">User</SortHeader>
              <SortHeader f={f} sort="account">Account</SortHeader>
              <th scope="col" className="py-2 pr-3 font-medium">Console</th>
              <SortHeader f={f} sort="state">MFA</SortHeader>
              <th scope="col" className="py-2 pr-3 font-medium">Devices</th>
              <SortHeader f={f} sort="category">Category</SortHeader>
              <th scope="col" className="py-2 pr-3 font-medium">Decision</th>
              <SortHeader f={f} sort="lastUsed">Password last used</SortHeader>
              <th scope="col" className="py-2 pr-3 font-medium">Flags</th>
            </tr>
          </thead>
        }
      >
        {rows.map((r) => (
          <tr key={`${r.accountId}/${r.userName}`} className="border-t border-slate-100" data-testid="user-row" data-user={`${r.accountId}/${r.userName}`}>
            <td className="py-2 pr-3 pl-2">
              <Link className="font-mono underline" href={`/admin/users/${r.accountId}/${encodeURIComponent(r.userName)}`}>
                {r.userName}
              </Link>
            </td>
            <td className="py-2 pr-3">{labels.get(r.accountId) ?? r.accountId}</td>
            <td className="py-2 pr-3">{r.consoleAccess ? 'Yes' : 'No'}</td>
            <td className="py-2 pr-3" data-testid="row-state" data-state={r.mfaState} data-gap={r.programGap ?? ''}>
              <Badge tone={r.programGap ? 'bad' : r.mfaState === 'enabled' ? 'good' : 'neutral'}>{stateLabel[r.mfaState]}</Badge>
              {r.programGap && r.programGap !== 'no-mfa' && <span className="block text-xs text-red-800">{programGapText[r.programGap]}</span>}
              {remediationFor(r) === 'remove-console-password' ? <span className="sr-only"> (service user)</span> : null}
            </td>
            <td className="py-2 pr-3">{r.devices.map((d) => deviceTypeLabel[d.type]).join(', ') || '—'}</td>
            <td className="py-2 pr-3" data-testid="row-category">
              {r.categoryName ?? <span className="text-slate-600">—</span>}
              {r.categorySource === 'override' && <span className="block text-xs text-slate-600">set by an admin</span>}
            </td>
            <td className="py-2 pr-3" data-testid="row-decision" data-decision={r.exceptionExpired ? 'expired-exception' : r.decision}>
              <DecisionBadge row={r} />
            </td>
            <td className="py-2 pr-3">{r.passwordLastUsed ? formatDate(r.passwordLastUsed) : r.consoleAccess ? 'Never / unknown' : '—'}</td>
            <td className="py-2 pr-3">{r.flags.map((x) => flagLabel[x as InventoryFlag] ?? x).join(', ') || '—'}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={9} className="p-4 text-slate-700">No IAM users match these filters.</td>
          </tr>
        )}
      </DataTable>
      <Pager page={f.page} pages={pages} href={(page) => `/admin/users?${filtersToSearch({ ...f, page })}`} />
    </div>
  );
}
