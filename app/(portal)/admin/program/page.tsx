import { Suspense } from 'react';
import { DataTable } from '@/components/ui/data-table';
import Link from 'next/link';
import { requireRole } from '@/lib/auth/session';
import { hasRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getDb } from '@/lib/db/client';
import { formatDateTime } from '@/lib/format';
import { listCategories, previewProgram } from '@/lib/program/categories';
import { getReminderDays } from '@/lib/program/settings';
import { allowedTypesText, decisionLabel, selectorText } from '@/lib/program/resolve';
import { Badge } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { DeleteCategory, MoveCategory } from './category-row-actions';
import { ReminderDaysForm } from './reminder-days-form';
import { RecoverySettingsForm } from './recovery-settings-form';
import { getRecoverySettings } from '@/lib/recovery/settings';

export const metadata = { title: 'Enrollment program' };
export const dynamic = 'force-dynamic';

async function Categories({ actor }: { actor: Actor }) {
  const canEdit = hasRole(actor.roles, 'security');
  const [categories, preview] = await Promise.all([listCategories(actor), previewProgram(actor)]);
  const counts = new Map(preview.categories.map((c) => [c.id, c]));
  return (
    <>
      <Card aria-labelledby="categories-heading">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="categories-heading" className="text-lg font-semibold">Categories</h2>
          {canEdit && <Link href="/admin/program/categories/new" className={buttonClass('primary')}>New category</Link>}
        </div>
        <p className="mt-1 text-sm text-slate-700">A user belongs to the first category whose selector matches, top to bottom, unless an admin assigned them to another.</p>
        {categories.length === 0 ? (
          <p className="mt-3 text-sm" data-testid="no-categories">No categories yet: every user with console access is in scope, with any device type and no deadline.</p>
        ) : (
          <DataTable
            label="Categories"
            caption="Categories in first-match order"
            className="mt-3"
            tableProps={{ 'data-testid': 'categories' }}
            columns={['#', 'Category', 'Selects', 'Decision', 'Devices', 'Deadline (UTC)', 'Cohort', 'Users', ...(canEdit ? ['Order', 'Change'] : [])]}
          >
            {categories.map((c, i) => {
              const n = counts.get(c.id);
              return (
                <tr key={c.id} className="border-t border-slate-100 align-top" data-testid="category-row" data-name={c.name}>
                  <td className="py-2 pr-3">{i + 1}</td>
                  <td className="py-2 pr-3 font-medium">{c.name}</td>
                  <td className="py-2 pr-3 break-all">{selectorText(c)}</td>
                  <td className="py-2 pr-3">
                    <Badge tone={c.defaultDecision === 'required' ? 'info' : 'neutral'}>{decisionLabel[c.defaultDecision]}</Badge>
                    {c.expiresAt && <div className="text-xs text-slate-600">until {formatDateTime(c.expiresAt)}</div>}
                  </td>
                  <td className="py-2 pr-3">{allowedTypesText(c.allowedDeviceTypes)}{c.minDevices > 1 ? '; backup required' : ''}</td>
                  <td className="py-2 pr-3 whitespace-nowrap">{formatDateTime(c.deadline)}</td>
                  <td className="py-2 pr-3 font-mono">{c.cohort}</td>
                  <td className="py-2 pr-3" data-testid="category-users">
                    {n?.users ?? 0}
                    <div className="text-xs text-slate-600">{n?.inScope ?? 0} in scope, {n?.compliant ?? 0} compliant{n?.overrides ? `, ${n.overrides} by override` : ''}</div>
                  </td>
                  {canEdit && (
                    <>
                      <td className="py-2 pr-3"><MoveCategory id={c.id} name={c.name} first={i === 0} last={i === categories.length - 1} /></td>
                      <td className="space-y-1 py-2">
                        <Link className="underline" href={`/admin/program/categories/${c.id}`}>Edit<span className="sr-only"> {c.name}</span></Link>
                        <DeleteCategory id={c.id} name={c.name} />
                      </td>
                    </>
                  )}
                </tr>
              );
            })}
          </DataTable>
        )}
      </Card>
      <Card aria-labelledby="unmatched-heading">
        <h2 id="unmatched-heading" className="text-lg font-semibold">Users in no category</h2>
        <p className="mt-1 text-sm" data-testid="unmatched-summary">
          {preview.unmatched.users} of {preview.totalUsers} inventoried users match no category ({preview.unmatched.consoleUsers} with console access).
          {categories.length > 0 && preview.unmatched.consoleUsers > 0 ? ' They are in scope with no deadline until a category captures them.' : ''}
        </p>
        {preview.unmatched.sample.length > 0 && categories.length > 0 && (
          <ul className="mt-2 grid gap-1 text-sm sm:grid-cols-2">
            {preview.unmatched.sample.map((u) => (
              <li key={`${u.accountId}/${u.userName}`}>
                <Link className="underline" href={`/admin/users/${u.accountId}/${encodeURIComponent(u.userName)}`}>{u.userName}</Link>{' '}
                <span className="text-slate-600">({u.accountId}{u.consoleAccess ? ', console' : ''}{u.groups.length ? `, ${u.groups.join(', ')}` : ''})</span>
              </li>
            ))}
          </ul>
        )}
        {preview.unmatched.users > preview.unmatched.sample.length && categories.length > 0 && (
          <p className="mt-2 text-sm"><Link className="underline" href="/admin/users?category=none">See all {preview.unmatched.users}</Link></p>
        )}
      </Card>
    </>
  );
}

async function Reminders({ actor }: { actor: Actor }) {
  const days = await getReminderDays(await getDb());
  return (
    <Card aria-labelledby="reminders-heading">
      <h2 id="reminders-heading" className="text-lg font-semibold">Reminders</h2>
      <p className="mt-1 text-sm text-slate-700">In-scope users without compliant MFA are reminded before their category’s deadline. <Link className="underline" href="/admin/reminders">What was sent</Link></p>
      <div className="mt-3">
        {hasRole(actor.roles, 'security') ? <ReminderDaysForm days={days} /> : <p className="text-sm">Reminders go out {days.join(', ')} days before each deadline.</p>}
      </div>
    </Card>
  );
}

async function Recovery({ actor }: { actor: Actor }) {
  const settings = await getRecoverySettings();
  return (
    <Card aria-labelledby="recovery-settings-heading">
      <h2 id="recovery-settings-heading" className="text-lg font-semibold">Lost or broken devices</h2>
      <p className="mt-1 text-sm text-slate-700">
        What an admin confirms before approving a member’s report, and how long the member may then work without MFA to enroll a new device. <Link className="underline" href="/admin/recovery">Reports</Link>
      </p>
      <div className="mt-3">
        {hasRole(actor.roles, 'security') ? (
          <RecoverySettingsForm {...settings} />
        ) : (
          <>
            <ul className="list-disc pl-5 text-sm">{settings.checklist.map((c) => <li key={c}>{c}</li>)}</ul>
            <p className="mt-2 text-sm">Grace after approval: {settings.graceHours} hours.</p>
          </>
        )}
      </div>
    </Card>
  );
}

export default async function ProgramPage() {
  const actor = await requireRole('admin');
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Enrollment program</h1>
        <p className="text-slate-700">
          Who must use MFA, with which devices, and by when. {hasRole(actor.roles, 'security') ? 'Every change is recorded in the audit log.' : 'The security team changes it; you can read it.'}{' '}
          <Link className="underline" href="/admin/exceptions">Exception register</Link>
        </p>
      </div>
      <Suspense fallback={<Skeleton className="h-64" />}>
        <Categories actor={actor} />
      </Suspense>
      <Suspense fallback={<Skeleton className="h-24" />}>
        <Reminders actor={actor} />
      </Suspense>
      <Suspense fallback={<Skeleton className="h-24" />}>
        <Recovery actor={actor} />
      </Suspense>
    </div>
  );
}
