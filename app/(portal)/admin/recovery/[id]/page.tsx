import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireRole } from '@/lib/auth/session';
import { parseDbId } from '@/lib/actions/params';
import { getRecovery } from '@/lib/recovery/queries';
import { decisionRefusal } from '@/lib/recovery/rules';
import { getRecoverySettings } from '@/lib/recovery/settings';
import { Alert } from '@/components/ui/alert';
import { CardSection } from '@/components/ui/card';
import { formatDateTimeUtc } from '@/lib/format';
import { RecoveryStateBadge } from '../state-badge';
import { ApproveForm, RejectForm } from './decide-forms';

export const metadata = { title: 'Lost device' };
export const dynamic = 'force-dynamic';

const fmt = (d: Date | null) => (d ? formatDateTimeUtc(d) : '—');

export default async function RecoveryPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireRole('admin');
  const id = parseDbId((await params).id);
  if (id === null) notFound();
  const [r, settings] = await Promise.all([getRecovery(actor, id), getRecoverySettings()]);
  if (!r) notFound();
  const retry = r.state === 'approved' && r.graceMissing;
  // The page only explains; the domain checks the same rule again when the form is sent.
  const refusal = decisionRefusal(actor, retry ? { ...r, status: 'reported' } : r);
  const facts: [string, React.ReactNode][] = [
    ['IAM user', <Link key="u" className="underline" href={`/admin/users/${r.accountId}/${encodeURIComponent(r.userName)}`}>{r.userName}</Link>],
    ['Account', <span key="a" className="font-mono">{r.accountId}</span>],
    ['Device', `${r.deviceName} (${r.deviceType})`],
    ['Serial', <span key="s" className="font-mono break-all">{r.deviceSerial}</span>],
    ['What happened', r.what],
    ['Note', r.note ?? '—'],
    ['Reported by', r.reportedBy],
    ['Reported', fmt(r.reportedAt)],
    ['Decided by', r.decidedBy ?? '—'],
    ['Decided', fmt(r.decidedAt)],
    ...(r.rejectReason ? ([['Reason', r.rejectReason]] as [string, React.ReactNode][]) : []),
    ['Grace ends', fmt(r.graceEndsAt)],
    ['Ended', fmt(r.completedAt)],
  ];
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm"><Link className="underline" href="/admin/recovery">All lost devices</Link></p>
        <h1 className="text-2xl font-bold break-all sm:text-3xl">Lost device of {r.userName}</h1>
        <p className="mt-1" data-testid="recovery-state"><RecoveryStateBadge recovery={r} /></p>
      </div>
      <CardSection id="request-heading" title="Request">
        <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          {facts.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="font-medium text-slate-600">{k}</dt>
              <dd className="break-words">{v}</dd>
            </div>
          ))}
        </dl>
        {r.checklist.length > 0 && (
          <>
            <h3 className="mt-4 font-semibold">Checks confirmed</h3>
            <ul className="mt-1 list-disc pl-5 text-sm">
              {r.checklist.map((c) => <li key={c.item}>{c.item} <span className="text-slate-600">({c.by}, {fmt(new Date(c.at))})</span></li>)}
            </ul>
          </>
        )}
      </CardSection>
      {(r.state === 'reported' || retry) &&
        (refusal ? (
          <Alert tone="warning" title="You cannot decide this request">{refusal.message}</Alert>
        ) : (
          <>
            <CardSection id="approve-heading" title={retry ? 'Open the grace' : 'Verify and approve'}>
              <div className="mt-3"><ApproveForm id={r.id} checklist={settings.checklist} graceHours={settings.graceHours} retry={retry} /></div>
            </CardSection>
            {!retry && (
              <CardSection id="reject-heading" title="Reject">
                <p className="mt-1 text-sm text-slate-700">Nothing changes in AWS. The member is told the reason.</p>
                <div className="mt-3"><RejectForm id={r.id} /></div>
              </CardSection>
            )}
          </>
        ))}
    </div>
  );
}
