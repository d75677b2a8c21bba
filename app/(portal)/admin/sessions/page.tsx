import { Suspense } from 'react';
import { requireRole } from '@/lib/auth/session';
import { sessionState, sessionsOfPerson, type SessionState } from '@/lib/auth/sessions';
import type { Actor } from '@/lib/auth/types';
import { Badge } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Skeleton } from '@/components/ui/skeleton';
import { TableHead } from '@/components/ui/table-head';
import { EndSessionButton } from '@/components/auth/end-session-button';

export const metadata = { title: 'Sessions' };

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

const STATE_LABEL: Record<SessionState, string> = {
  active: 'Active',
  'sign-out': 'Signed out',
  idle: 'Ended: idle',
  expired: 'Ended: expired',
  'ended-by-admin': 'Ended by an admin',
};

/** A person is named as in the audit log: an email, or an IAM user ARN for access-key sign-in. */
function personFrom(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? value[0] : value;
  return (raw ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 320);
}

async function SessionList({ actor, person }: { actor: Actor; person: string }) {
  const rows = await sessionsOfPerson(actor, person);
  if (rows.length === 0) return <p className="text-sm text-slate-700">No sessions recorded for {person}.</p>;
  const now = new Date();
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Sessions of {person}, newest first</caption>
        <TableHead columns={['Signed in (UTC)', 'Last seen (UTC)', 'Ends at the latest (UTC)', 'Roles', 'State', '']} />
        <tbody>
          {rows.map((s) => {
            const state = sessionState(s, now);
            return (
              <tr key={s.id} className="border-t border-slate-100" data-testid="session-row">
                <td className="py-2 pr-4 whitespace-nowrap">{when.format(s.createdAt)}</td>
                <td className="py-2 pr-4 whitespace-nowrap">{when.format(s.lastSeenAt)}</td>
                <td className="py-2 pr-4 whitespace-nowrap">{when.format(s.expiresAt)}</td>
                <td className="py-2 pr-4">{s.roles.join(', ')}</td>
                <td className="py-2 pr-4">
                  <Badge tone={state === 'active' ? 'good' : 'neutral'}>{STATE_LABEL[state]}</Badge>
                </td>
                <td className="py-2">
                  {state === 'active' && <EndSessionButton sessionId={s.id} label={`End the session signed in ${when.format(s.createdAt)}`} />}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export default async function SessionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireRole('admin');
  const person = personFrom((await searchParams).person);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold sm:text-3xl">Sessions</h1>
      <Card aria-labelledby="find-heading">
        <h2 id="find-heading" className="mb-3 text-lg font-semibold">Find a person&apos;s sessions</h2>
        <form method="get" className="flex flex-wrap items-end gap-3">
          <Field
            label="Person"
            name="person"
            defaultValue={person}
            required
            maxLength={320}
            hint="Their email, or their IAM user ARN if they sign in with access keys."
            className="min-w-64 flex-1"
          />
          <button type="submit" className={buttonClass('secondary')}>
            Show sessions
          </button>
        </form>
      </Card>
      {person && (
        <Card aria-labelledby="list-heading">
          <h2 id="list-heading" className="mb-3 text-lg font-semibold">Sessions of {person}</h2>
          <p className="mb-3 text-sm text-slate-700">Ending a session signs that browser out on its next request; the person can sign in again.</p>
          <Suspense
            fallback={
              <div role="status" aria-live="polite">
                <span className="sr-only">Loading sessions…</span>
                <Skeleton className="h-24 w-full" />
              </div>
            }
          >
            <SessionList actor={actor} person={person} />
          </Suspense>
        </Card>
      )}
    </div>
  );
}
