import { accountLabel } from '@/lib/accounts/registry';
import { safeDecode } from '@/lib/actions/params';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireRole } from '@/lib/auth/session';
import { getInventoryUser } from '@/lib/inventory/queries';
import { userVerdict } from '@/lib/inventory/coverage-view';
import { flagLabel, type InventoryFlag } from '@/lib/inventory/classify';
import { listUserEvents } from '@/lib/enrollment/events';
import { certificationsText, deviceTypeLabel } from '@/lib/device-types';
import { Badge } from '@/components/ui/badge';
import { CardSection } from '@/components/ui/card';
import { Alert } from '@/components/ui/alert';
import { DeactivateLostDevice, VerifyNow } from './user-admin-actions';
import { DataTable } from '@/components/ui/data-table';
import { formatDateTimeUtc, isoDay } from '@/lib/format';
import { isAccountId, isIamUserName } from '@/lib/iam-identifiers';
import { getDecision, getProgramUser } from '@/lib/program/decisions';
import { listCategories } from '@/lib/program/categories';
import { requestsForUser } from '@/lib/program/exception-requests';
import { ExceptionRequestHistory } from '@/components/program/exception-request-history';
import { allowedTypesText, decisionLabel } from '@/lib/program/resolve';
import { DecisionForm } from '@/components/program/decision-form';
import { getSignInEvidence } from '@/lib/events/evidence';
import { setDecisionAction } from '@/app/(portal)/admin/decisions/actions';

export const metadata = { title: 'IAM user' };

const fmt = (d: Date | string | null) => (d ? formatDateTimeUtc(new Date(d)) : '—');

export default async function UserDetailPage({
  params,
  searchParams,
}: {
  params: Promise<{ accountId: string; userName: string }>;
  searchParams: Promise<{ deactivated?: string }>;
}) {
  const actor = await requireRole('admin');
  const { accountId, userName: rawName } = await params;
  const userName = safeDecode(rawName);
  if (!isAccountId(accountId) || userName === null || !isIamUserName(userName)) notFound();
  const [row, events, program, decision, categories, evidence, requests] = await Promise.all([
    getInventoryUser(actor, accountId, userName),
    listUserEvents({ accountId, userName }, 100),
    getProgramUser(actor, { accountId, userName }),
    getDecision(actor, { accountId, userName }),
    listCategories(actor),
    getSignInEvidence(actor, [{ accountId, userName }]),
    requestsForUser(actor, { accountId, userName }),
  ]);
  const signIns = evidence.get(`${accountId}/${userName}`);
  if (!row || !program) notFound();
  const label = await accountLabel(accountId);
  // One derivation for the banner, the status line and the flags' notes (the gap list and the report use it too).
  const verdict = userVerdict(program);
  const { deactivated } = await searchParams;
  // The approval of the user's own exception, from its request record (none for one approved before requests existed).
  const approvedAt = program.decisionSource === 'user' ? (requests.find((r) => r.status === 'approved' && r.decidedBy === program.approver)?.decidedAt ?? null) : null;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="text-sm"><Link className="underline" href="/admin/users">IAM users</Link> /</p>
          <h1 className="font-mono text-2xl font-bold break-all sm:text-3xl">{row.userName}</h1>
          <p className="text-slate-700">
            {label} ({accountId}) · <span className="break-all">{row.arn}</span>
          </p>
        </div>
        <VerifyNow accountId={accountId} userName={userName} />
      </div>
      {deactivated && (
        <Alert tone="success">
          Deactivated <span className="font-mono break-all">{deactivated}</span> (recorded in the audit log). {row.userName} can now enroll a new device.
        </Alert>
      )}
      {verdict.status === 'gap' && verdict.advice && (
        <Alert tone="warning" title="Gap">
          <span data-testid="user-advice" data-remediation={verdict.remediation ?? undefined}>{verdict.advice}</span>
        </Alert>
      )}
      {verdict.notes.map((note) => (
        <Alert key={note} tone="info">
          <span data-testid="user-note">{note}</span>
        </Alert>
      ))}
      <CardSection id="program-heading" title="Program">
        <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]" data-testid="program-facts">
          <dt className="text-slate-600">Category</dt>
          <dd data-testid="program-category">
            {program.categoryName ?? 'None'}
            {program.categorySource === 'override' ? ' (assigned by an admin)' : program.categorySource === 'selector' ? ' (by its selector)' : ''}
          </dd>
          <dt className="text-slate-600">Decision</dt>
          <dd data-testid="program-decision" data-decision={program.decision} data-expired={program.exceptionExpired || undefined}>
            <Badge tone={program.exceptionExpired ? 'bad' : program.decision === 'required' ? 'info' : 'neutral'}>{decisionLabel[program.decision]}</Badge>
            {program.exceptionExpired && <strong className="ml-2 text-red-800">expired: MFA is required again</strong>}
            {program.decisionSource === 'category' && program.decision !== 'required' ? ' (the category’s default)' : ''}
            {program.decisionReason ? <span className="block text-slate-700">“{program.decisionReason}”</span> : null}
            {program.approver ? (
              <span className="block text-slate-700" data-testid="program-approval">
                Approved by {program.approver}
                {approvedAt ? ` on ${fmt(approvedAt)}` : ''}
                {program.expiresAt ? `, until ${fmt(program.expiresAt)}` : ''}
              </span>
            ) : null}
            {program.decidedBy ? <span className="block text-xs text-slate-600">Decided by {program.decidedBy} on {fmt(program.decidedAt)}</span> : null}
          </dd>
          <dt className="text-slate-600">Deadline</dt>
          <dd>{program.deadline ? fmt(program.deadline) : 'None'}{program.cohort ? ` · cohort ${program.cohort}` : ''}</dd>
          <dt className="text-slate-600">Devices allowed</dt>
          <dd>{allowedTypesText(program.allowedDeviceTypes)}{program.minDevices > 1 ? `; a backup is required (${program.minDevices} devices)` : ''}</dd>
          <dt className="text-slate-600">Status</dt>
          <dd data-testid="program-status" data-status={verdict.status}>
            {verdict.statusText}
          </dd>
        </dl>
        <ExceptionRequestHistory requests={requests} />
        <details className="mt-4 rounded-lg border border-slate-200 p-3" open={Boolean(decision)}>
          <summary className="cursor-pointer font-medium">Change the decision</summary>
          <div className="mt-3">
            <DecisionForm
              mode="single"
              action={setDecisionAction}
              accountId={accountId}
              userName={userName}
              categories={categories.map((c) => ({ id: c.id, name: c.name }))}
              initial={{
                categoryId: decision?.categoryId ?? null,
                decision: decision?.decision ?? null,
                reason: decision?.reason ?? '',
                expiresAt: decision?.expiresAt ? isoDay(decision.expiresAt) : '',
              }}
            />
          </div>
        </details>
      </CardSection>
      <CardSection id="facts-heading" title="Facts">
        <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          <dt className="text-slate-600">MFA</dt>
          <dd data-testid="detail-state" data-state={row.mfaState}>
            <Badge tone={row.mfaState === 'enabled' ? 'good' : row.consoleAccess ? 'bad' : 'neutral'}>{row.mfaState}</Badge>
          </dd>
          <dt className="text-slate-600">Console access</dt>
          <dd>{row.consoleAccess ? 'Yes (console password)' : 'No'}</dd>
          <dt className="text-slate-600">Password last used</dt>
          <dd>{row.consoleAccess ? (row.passwordLastUsed ? fmt(row.passwordLastUsed) : 'Never, or not recorded') : '—'}</dd>
          <dt className="text-slate-600">Console sign-in with MFA</dt>
          <dd data-testid="detail-console-mfa">
            {signIns?.mfaSeenAt ? `Seen at ${fmt(signIns.mfaSeenAt)} (AWS CloudTrail)` : 'Not seen yet'}
            {signIns?.withoutMfaSeenAt && (!signIns.mfaSeenAt || signIns.withoutMfaSeenAt > signIns.mfaSeenAt) ? ` · without MFA at ${fmt(signIns.withoutMfaSeenAt)}` : ''}
          </dd>
          <dt className="text-slate-600">Access key last used</dt>
          <dd>{fmt(row.accessKeyLastUsed)}</dd>
          <dt className="text-slate-600">Created</dt>
          <dd>{fmt(row.createdAt)}</dd>
          <dt className="text-slate-600">Path</dt>
          <dd className="font-mono">{row.path}</dd>
          <dt className="text-slate-600">Groups</dt>
          <dd>{row.groups.join(', ') || '—'}</dd>
          <dt className="text-slate-600">Tags</dt>
          <dd className="break-all">{Object.entries(row.tags).map(([k, v]) => `${k}=${v}`).join(', ') || '—'}</dd>
          <dt className="text-slate-600">Flags</dt>
          <dd>{row.flags.length ? row.flags.map((f) => flagLabel[f as InventoryFlag] ?? f).join(', ') : '—'}</dd>
          <dt className="text-slate-600">Data from</dt>
          <dd>
            {row.source === 'inventory' ? 'the inventory run' : row.source === 'portal' ? 'a change made through the portal' : 'a live check'} at {fmt(row.updatedAt)}
          </dd>
        </dl>
      </CardSection>
      <CardSection id="flags-heading" title="Flags and their evidence">
        {row.flags.length === 0 ? (
          <p className="mt-2 text-sm">No flags.</p>
        ) : (
          <ul className="mt-3 space-y-3 text-sm" data-testid="flag-evidence">
            {row.flags.map((f) => {
              const e = row.flagEvidence.find((x) => x.flag === f);
              return (
                <li key={f} data-flag={f} className="rounded-lg border border-slate-200 p-3">
                  <p className="font-medium">{flagLabel[f as InventoryFlag] ?? f}</p>
                  {e ? (
                    <dl className="mt-1 grid grid-cols-1 gap-x-4 sm:grid-cols-[max-content_1fr]">
                      <dt className="text-slate-600">Evidence</dt>
                      <dd data-testid="flag-facts">{e.facts}</dd>
                      <dt className="text-slate-600">Rule</dt>
                      <dd>{e.rule}</dd>
                      {e.setting ? (
                        <>
                          <dt className="text-slate-600">Setting</dt>
                          <dd className="font-mono break-all">{e.setting}</dd>
                        </>
                      ) : null}
                      <dt className="text-slate-600">Checked</dt>
                      <dd>{fmt(e.checkedAt)}</dd>
                    </dl>
                  ) : (
                    <p className="text-slate-700">No evidence recorded: the row predates it. The next inventory run records it.</p>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </CardSection>
      <CardSection id="devices-heading" title="MFA devices">
        {row.devices.length === 0 ? (
          <p className="mt-2 text-sm">None.{row.leftoverDevices.length ? ` Unfinished set-ups (unassigned devices): ${row.leftoverDevices.join(', ')}.` : ''}</p>
        ) : (
          <ul className="mt-3 space-y-3">
            {row.devices.map((d) => (
              <li key={d.serial} className="space-y-2" data-testid="detail-device" data-serial={d.serial}>
                <p className="text-sm">
                  <strong>{deviceTypeLabel[d.type]}</strong> <span className="font-mono break-all">{d.serial}</span> · enabled {fmt(d.enabledAt)}
                  {d.type === 'fido' && d.certifications !== undefined && d.certifications !== null && (
                    <span data-testid="device-certifications">
                      {' '}
                      · {certificationsText(d.certifications) ? `certified: ${certificationsText(d.certifications)}` : 'no certification reported by AWS (uncertified key or passkey)'}
                    </span>
                  )}
                </p>
                <DeactivateLostDevice accountId={accountId} userName={userName} device={d} signInMethod={actor.method} />
              </li>
            ))}
          </ul>
        )}
      </CardSection>
      <CardSection id="history-heading" title="Enrollment history">
        {events.length === 0 ? (
          <p className="mt-2 text-sm">No enrollment activity through the portal.</p>
        ) : (
          <DataTable className="mt-3" label="Enrollment history" caption={`Enrollment events of ${row.userName}`} columns={['When', 'What', 'Outcome', 'By']}>
            {events.map((e) => (
              <tr key={e.id} className="border-t border-slate-100">
                <td className="py-1.5 pr-3 whitespace-nowrap">{fmt(e.at)}</td>
                <td className="py-1.5 pr-3">{e.kind}{e.deviceType ? ` (${e.deviceType})` : ''}</td>
                <td className="py-1.5 pr-3">{e.outcome}{e.reason ? `: ${e.reason}` : ''}</td>
                <td className="py-1.5 break-all">{e.actor}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </CardSection>
    </div>
  );
}
