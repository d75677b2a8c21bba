import Link from 'next/link';
import { requireRole } from '@/lib/auth/session';
import { BULK_LIMIT, selectUsers } from '@/lib/program/decisions';
import { listCategories } from '@/lib/program/categories';
import { selectionOf } from '@/lib/program/selection';
import { filtersToSearch } from '@/lib/inventory/user-filters';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { plural } from '@/lib/format';
import { DecisionForm } from '@/components/program/decision-form';
import { bulkDecideAction } from '../actions';

export const metadata = { title: 'Bulk decision' };
export const dynamic = 'force-dynamic';

const SAMPLE = 20;

export default async function BulkDecisionPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireRole('admin');
  const params = await searchParams;
  const query = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : []))).toString();
  const selection = selectionOf(query);
  const filters = filtersToSearch(selection);
  const [users, categories] = await Promise.all([selectUsers(actor, selection), listCategories(actor)]);
  const described = Object.entries(selection).map(([k, v]) => `${k} = ${String(v)}`).join(', ');
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm"><Link className="underline" href={`/admin/users${filters ? `?${filters}` : ''}`}>IAM users</Link> /</p>
        <h1 className="text-2xl font-bold sm:text-3xl">Decide for many users</h1>
        <p className="text-slate-700">Filters: {described || 'none (every inventoried user)'}.</p>
      </div>
      {users.length === 0 ? (
        <Alert tone="info">These filters select no users. <Link className="underline" href="/admin/users">Change the filters</Link>.</Alert>
      ) : users.length > BULK_LIMIT ? (
        <Alert tone="warning" title="Too many users">
          These filters select more than {BULK_LIMIT.toLocaleString('en')} users. Narrow them (for example by account or tag) and decide in parts.
        </Alert>
      ) : (
        <>
          <Card aria-labelledby="who-heading">
            <h2 id="who-heading" className="text-lg font-semibold" data-testid="bulk-count">{plural(users.length, 'user')} selected</h2>
            <ul className="mt-2 grid gap-1 text-sm sm:grid-cols-2">
              {users.slice(0, SAMPLE).map((u) => (
                <li key={`${u.accountId}/${u.userName}`} className="font-mono">{u.accountId}/{u.userName}</li>
              ))}
            </ul>
            {users.length > SAMPLE && <p className="mt-2 text-sm">and {users.length - SAMPLE} more.</p>}
          </Card>
          <Card aria-labelledby="decide-heading">
            <h2 id="decide-heading" className="text-lg font-semibold">Decision</h2>
            <p className="mt-1 text-sm text-slate-700">Applied to every selected user and recorded in the audit log for each, with what it replaced. An exception is not applied: it becomes one request per user in the exceptions queue, for another admin to approve.</p>
            <div className="mt-3">
              <DecisionForm
                mode="bulk"
                action={bulkDecideAction}
                filters={filters}
                expected={users.length}
                categories={categories.map((c) => ({ id: c.id, name: c.name }))}
                initial={{ categoryId: null, decision: null, reason: '', expiresAt: '' }}
              />
            </div>
          </Card>
        </>
      )}
    </div>
  );
}
