import { Suspense } from 'react';
import { requireRole } from '@/lib/auth/session';
import { sessionState, sessionsOfPerson, type SessionState } from '@/lib/auth/sessions';
import type { Actor } from '@/lib/auth/types';
import { Badge } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { CardSection } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Skeleton } from '@/components/ui/skeleton';
import { DataTable } from '@/components/ui/data-table';
import { formatDateTime } from '@/lib/format';
import { EndSessionButton } from './end-session-button';

export const metadata = { title: 'Sessions' };

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
    <DataTable label="Sessions" caption={`Sessions of ${person}, newest first`} columns={['Signed in (UTC)', 'Last seen (UTC)', 'Ends at the latest (UTC)', 'Roles', 'State', '']}>
      {rows.map((s) => {
        const state = sessionState(s, now);
        return (
          <tr key={s.id} className="border-t border-slate-100" data-testid="session-row">
            <td className="py-2 pr-4 whitespace-nowrap">{formatDateTime(s.createdAt)}</td>
            <td className="py-2 pr-4 whitespace-nowrap">{formatDateTime(s.lastSeenAt)}</td>
            <td className="py-2 pr-4 whitespace-nowrap">{formatDateTime(s.expiresAt)}</td>
            <td className="py-2 pr-4">{s.roles.join(', ')}</td>
            <td className="py-2 pr-4">
              <Badge tone={state === 'active' ? 'good' : 'neutral'}>{STATE_LABEL[state]}</Badge>
            </td>
            <td className="py-2">
              {state === 'active' && <EndSessionButton sessionId={s.id} label={`End the session signed in ${formatDateTime(s.createdAt)}`} />}
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

export default async function SessionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireRole('admin');
  const person = personFrom((await searchParams).person);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold sm:text-3xl">Sessions</h1>
      <CardSection id="find-heading" title={"Find a person's sessions"} headingClassName="mb-3 text-lg font-semibold">
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
      </CardSection>
      {person && (
        <CardSection id="list-heading" title={`Sessions of ${person}`} headingClassName="mb-3 text-lg font-semibold">
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
        </CardSection>
      )}
    </div>
  );
}
