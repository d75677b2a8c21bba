import { Suspense } from 'react';
import Link from 'next/link';
import { PagedResults } from '@/components/ui/pager';
import { requireRole } from '@/lib/auth/session';
import type { Actor } from '@/lib/auth/types';
import { formatDateTime } from '@/lib/format';
import { getReminderSetup, listReminderSends, type ReminderRecord } from '@/lib/program/reminders/record';
import { SEND_STATUSES, parseReminderFilters, parseUserParam, reminderFiltersToSearch, type ReminderFilters, type SendStatus } from '@/lib/program/reminder-plan';
import { Alert } from '@/components/ui/alert';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Skeleton } from '@/components/ui/skeleton';
import { DataTable } from '@/components/ui/data-table';
import { FilterActions } from '@/components/ui/filter-actions';
import { FilterSelect } from '@/components/ui/filter-select';
import { RunRemindersForm, SendNowForm } from './reminder-forms';
import { MessagesSection } from './messages-section';

export const metadata = { title: 'Reminders' };

const statusTone: Record<SendStatus, BadgeTone> = { sent: 'good', failed: 'bad', unknown: 'bad', sending: 'neutral' };
const statusLabel: Record<SendStatus, string> = { sent: 'Sent', failed: 'Failed', unknown: 'Unknown', sending: 'Sending' };
const channelLabel: Record<ReminderRecord['channel'], string> = { email: 'Email', webhook: 'Webhook' };
const roleLabel: Record<ReminderRecord['recipientRole'], string> = { user: 'User', owner: 'Owner', account: 'Account contact' };

const daysText = (days: number[]) =>
  days.length <= 1 ? `${days[0] ?? 0}` : `${days.slice(0, -1).join(', ')} and ${days.at(-1)}`;

type Params = Record<string, string | string[] | undefined>;

async function SetupAndActions({ actor, params }: { actor: Actor; params: Params }) {
  const setup = await getReminderSetup(actor);
  const prefill = parseUserParam(params.user);
  return (
    <>
      <Card aria-labelledby="setup-heading">
        <h2 id="setup-heading" className="text-lg font-semibold">
          Set-up
        </h2>
        {setup.off && (
          <div className="mt-3">
            <Alert tone="warning" title="Reminders are off">
              No channel is configured. Set <code>MFA_REMINDER_EMAIL_FROM</code> (an address Amazon SES may send from) and/or{' '}
              <code>MFA_REMINDER_WEBHOOK_URL</code> (Slack-compatible), then restart the portal.
            </Alert>
          </div>
        )}
        <dl className="mt-3 grid gap-3 text-sm sm:grid-cols-2">
          <div>
            <dt className="font-medium">Email (Amazon SES)</dt>
            <dd data-testid="channel-email">{setup.emailFrom ? `From ${setup.emailFrom}` : 'Not configured'}</dd>
          </div>
          <div>
            <dt className="font-medium">Webhook</dt>
            <dd data-testid="channel-webhook">{setup.webhookHost ? `To ${setup.webhookHost} (the rest of the URL is a secret and not shown)` : 'Not configured'}</dd>
          </div>
          <div>
            <dt className="font-medium">When</dt>
            <dd>
              {daysText(setup.days)} day{setup.days.length === 1 && setup.days[0] === 1 ? '' : 's'} before each deadline.{' '}
              <Link href="/admin/program" className="underline">
                The security team sets these days
              </Link>
              .
            </dd>
          </div>
          <div>
            <dt className="font-medium">Schedule</dt>
            <dd>
              {setup.intervalMinutes > 0
                ? `Checked every ${setup.intervalMinutes} minutes by the portal itself.`
                : 'Not scheduled in the portal: a scheduler calls POST /api/cron/reminders, or run them here.'}
            </dd>
          </div>
        </dl>
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card aria-labelledby="run-heading">
          <h2 id="run-heading" className="text-lg font-semibold">
            Run reminders now
          </h2>
          <p className="mt-1 mb-3 text-sm text-slate-700">Sends whatever is due at this moment; a reminder already sent is never sent again.</p>
          <RunRemindersForm />
        </Card>
        <Card aria-labelledby="send-heading">
          <h2 id="send-heading" className="text-lg font-semibold">
            Send a reminder now
          </h2>
          <p className="mt-1 mb-3 text-sm text-slate-700">To one IAM user, outside the schedule, on every configured channel.</p>
          <SendNowForm accounts={setup.accounts} accountId={prefill?.accountId} userName={prefill?.userName} />
        </Card>
      </div>

    </>
  );
}

async function Record({ actor, f }: { actor: Actor; f: ReminderFilters }) {
  const { rows, total } = await listReminderSends(actor, f);
  const pages = Math.max(1, Math.ceil(total / f.pageSize));
  const href = (page: number) => {
    const q = reminderFiltersToSearch({ ...f, page });
    return `/admin/reminders${q ? `?${q}` : ''}`;
  };
  const filtered = Boolean(f.status || f.q);
  return (
    <section aria-labelledby="record-heading" className="space-y-3">
      <h2 id="record-heading" className="text-xl font-semibold">
        Record
      </h2>
      <Card>
        <form method="get" action="/admin/reminders" className="grid gap-3 sm:grid-cols-3" aria-label="Filter the record">
          <FilterSelect label="Status" name="status" value={f.status} options={SEND_STATUSES.map((st) => [st, statusLabel[st]])} />
          <Field label="IAM user" name="q" type="search" defaultValue={f.q} maxLength={64} hint="Part of the name is enough." />
          <FilterActions clearHref="/admin/reminders" className="sm:pb-6" />
        </form>
      </Card>
      <PagedResults
        testId="reminders-total"
        count={`${total} send${total === 1 ? '' : 's'}`}
        total={total}
        page={f.page}
        pages={pages}
        href={href}
        empty={rows.length > 0 ? null : filtered ? 'No reminders match these filters.' : 'No reminder has been sent yet.'}
      >
        <DataTable
          label="Reminders sent"
          caption="Reminders, newest first"
          framed
          tableClassName="min-w-[960px]"
          columns={['When (UTC)', 'IAM user', 'Step', 'Channel', 'Recipient', 'Status', 'Attempts', 'Error']}
        >
              {rows.map((r) => (
                <tr key={r.id} className="border-t border-slate-100 align-top" data-testid="reminder-row" data-status={r.status} data-user={`${r.accountId}/${r.userName}`}>
                  <td className="py-2 pr-3 pl-3 whitespace-nowrap">
                    <time dateTime={(r.sentAt ?? r.claimedAt).toISOString()}>{formatDateTime(r.sentAt ?? r.claimedAt)}</time>
                  </td>
                  <td className="py-2 pr-3">
                    <Link href={`/admin/users/${r.accountId}/${encodeURIComponent(r.userName)}`} className="font-medium underline break-all">
                      {r.userName}
                    </Link>
                    <span className="block text-xs text-slate-600">{r.accountLabel}</span>
                  </td>
                  <td className="py-2 pr-3">
                    {r.stepLabel}
                    {r.trigger === 'manual' && r.step.startsWith('manual-') && <span className="block text-xs text-slate-600 break-all">by {r.actor}</span>}
                    <span className="block text-xs text-slate-600">deadline {formatDateTime(r.deadline)}</span>
                  </td>
                  <td className="py-2 pr-3">{channelLabel[r.channel]}</td>
                  <td className="max-w-56 py-2 pr-3 break-all" data-testid="reminder-recipient" data-role={r.recipientRole}>
                    {r.channel === 'email' && <span className="block text-xs font-medium text-slate-700">{roleLabel[r.recipientRole]}</span>}
                    {r.recipient ?? '—'}
                  </td>
                  <td className="py-2 pr-3">
                    <Badge tone={statusTone[r.status]}>{statusLabel[r.status]}</Badge>
                  </td>
                  <td className="py-2 pr-3 tabular-nums">{r.attempts}</td>
                  <td className="min-w-56 py-2 pr-3 break-words">{r.error ?? '—'}</td>
                </tr>
              ))}
        </DataTable>
      </PagedResults>
    </section>
  );
}

const skeleton = (what: string, tall = 'h-40') => (
  <div className="space-y-3">
    <p role="status" aria-live="polite" className="sr-only">
      Loading {what}…
    </p>
    <Skeleton className={`${tall} w-full`} />
  </div>
);

/**
 * The role check comes before any streaming (no loading.tsx for this segment): once a Suspense fallback has
 * been sent the status is 200, and a member must get a real 403.
 */
export default async function RemindersPage({ searchParams }: { searchParams: Promise<Params> }) {
  const actor = await requireRole('admin');
  const params = await searchParams;
  const f = parseReminderFilters(params);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Reminders</h1>
        <p className="mt-1 text-slate-700">
          Before each deadline, every in-scope IAM user without compliant MFA is reminded once per step, by email to its email tag and/or to a
          webhook; the last steps also go to the user’s owner and its account’s contact (see Escalation). Times are UTC.
        </p>
      </div>
      <Suspense fallback={skeleton('the reminder settings')}>
        <SetupAndActions actor={actor} params={params} />
      </Suspense>
      <Suspense fallback={skeleton('the escalation and the message templates')}>
        <MessagesSection actor={actor} />
      </Suspense>
      <Suspense key={reminderFiltersToSearch(f)} fallback={skeleton('the record', 'h-96')}>
        <Record actor={actor} f={f} />
      </Suspense>
    </div>
  );
}
