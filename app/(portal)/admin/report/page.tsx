import { accountLabels } from '@/lib/accounts/registry';
import { UNREACHABLE_REMEDY } from '@/lib/accounts/status';
import { parseDbId } from '@/lib/actions/params';
import { rootStatusText } from '@/lib/inventory/credential-report';
import Link from 'next/link';
import { requireRole } from '@/lib/auth/session';
import { getValidationReport, listValidationReports } from '@/lib/inventory/report';
import { signInTestText } from '@/lib/inventory/report-model';
import { programGapText } from '@/lib/program/resolve';
import { flagLabel, type InventoryFlag } from '@/lib/inventory/classify';
import { deviceTypeLabel } from '@/lib/device-types';
import { CardSection } from '@/components/ui/card';
import { Alert } from '@/components/ui/alert';
import { buttonClass } from '@/components/ui/button';
import { GenerateReport, PrintButton } from './report-controls';
import { DataTable } from '@/components/ui/data-table';
import { formatDate, formatDateTimeUtc, plural } from '@/lib/format';
import { Badge } from '@/components/ui/badge';

export const metadata = { title: 'Validation report' };

const fmt = (d: string | Date | null) => (d ? formatDateTimeUtc(new Date(d)) : '—');
const fmtDay = (d: string | null) => (d ? formatDate(new Date(d)) : '—');
const userLink = (accountId: string, userName: string) => `/admin/users/${accountId}/${encodeURIComponent(userName)}`;

function UserCell({ accountId, userName }: { accountId: string; userName: string }) {
  return (
    <td className="py-1.5 pr-3 font-mono">
      <Link className="underline print:no-underline" href={userLink(accountId, userName)}>
        {userName}
      </Link>
    </td>
  );
}

export default async function ReportPage({ searchParams }: { searchParams: Promise<{ id?: string }> }) {
  const actor = await requireRole('admin');
  const { id } = await searchParams;
  const history = await listValidationReports(actor);
  // A hand-typed id that is no database id (huge, negative, 1e30) shows no report instead of failing the query.
  const selectedId = id === undefined ? (history[0]?.id ?? 0) : (parseDbId(id) ?? 0);
  const report = selectedId ? await getValidationReport(actor, selectedId) : null;
  const labels = await accountLabels();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold sm:text-3xl">Validation report</h1>
          <p className="mt-1 text-slate-700">In-scope users, compliance with the enrollment program, the exception register, out-of-scope decisions, remaining gaps and sign-in tests — for auditors.</p>
        </div>
        <GenerateReport />
      </div>
      {!report ? (
        <Alert tone="info" title="No report yet">Generate one: it is computed from the current inventory and enrollment records, and kept with its time.</Alert>
      ) : (
        <article aria-labelledby="report-heading" className="space-y-6">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <h2 id="report-heading" className="text-lg font-semibold">
              Report #{selectedId}, generated {fmt(report.generatedAt)} (inventory as of {fmt(report.inventoryAsOf)})
            </h2>
            <div className="flex flex-wrap gap-2 print:hidden">
              <PrintButton />
              <a className={buttonClass('secondary')} href={`/api/admin/report/${selectedId}?format=xlsx`} download>
                Export workbook (XLSX)
              </a>
              <a className={buttonClass('secondary')} href={`/api/admin/report/${selectedId}?format=zip`} download>
                Export CSV per section (zip)
              </a>
              <a className={buttonClass('secondary')} href={`/api/admin/report/${selectedId}?format=csv`} download>
                Export CSV
              </a>
              <a className={buttonClass('secondary')} href={`/api/admin/report/${selectedId}?format=json`} download>
                Export JSON
              </a>
            </div>
          </div>
          <CardSection id="totals-heading" title="Totals" level={3} headingClassName="font-semibold">
            <dl className="mt-2 grid grid-cols-2 gap-2 text-sm sm:grid-cols-4 lg:grid-cols-7" data-testid="report-totals">
              {(
                [
                  ['In scope', report.totals.inScope],
                  ['Compliant', report.totals.enabled],
                  ['Exceptions in force', report.totals.exceptions],
                  ['Expired exceptions', report.totals.expiredExceptions],
                  ['Out of scope', report.totals.outOfScope],
                  ['Remaining gaps', report.totals.gaps],
                  ['Coverage', `${report.totals.coveragePct}%`],
                ] as const
              ).map(([k, v]) => (
                <div key={k}>
                  <dt className="text-slate-600">{k}</dt>
                  <dd className="text-xl font-bold tabular-nums">{v}</dd>
                </div>
              ))}
            </dl>
            <p className="mt-2 text-xs text-slate-600">
              In scope: console users whose MFA is required (expired exceptions included). Compliant: MFA as their category requires (allowed device types, and a
              backup where required).
            </p>
            {report.unreachableAccounts.length > 0 && (
              <p className="mt-2 text-sm text-amber-900" data-testid="report-unreachable">
                Not covered: {plural(report.unreachableAccounts.length, 'managed account')} could not be read (member role not assumable:{' '}
                {report.unreachableAccounts.map((u) => `${labels.get(u.accountId) ?? u.accountId} ${u.accountId}`).join(', ')}). Their users are unknown and not in
                these totals. Remedy: {UNREACHABLE_REMEDY}
              </p>
            )}
          </CardSection>
          <CardSection id="exceptions-heading" title={`Exception register (${report.exceptions.length})`} level={3} headingClassName="font-semibold">
            {report.exceptions.length === 0 ? (
              <p className="mt-1 text-sm">No console user has an approved exception.</p>
            ) : (
              <DataTable className="mt-2" label="Exception register" columns={['IAM user', 'Account', 'Granted', 'Justification', 'Approver', 'Expires']} bodyProps={{ 'data-testid': 'report-exceptions' }}>
                {report.exceptions.map((e) => (
                  <tr key={`${e.accountId}/${e.userName}`} className="border-t border-slate-100 align-top">
                    <UserCell accountId={e.accountId} userName={e.userName} />
                    <td className="py-1.5 pr-3">{labels.get(e.accountId) ?? e.accountId}</td>
                    <td className="py-1.5 pr-3">{e.level === 'user' ? 'For this user' : `Category ${e.category ?? ''}`}</td>
                    <td className="py-1.5 pr-3">{e.justification ?? '—'}</td>
                    <td className="py-1.5 pr-3">{e.approver ? `${e.approver}${e.approvedAt ? ` on ${fmtDay(e.approvedAt)}` : ''}` : '—'}</td>
                    <td className="py-1.5 whitespace-nowrap">
                      {fmtDay(e.expiresAt)} {e.expired && <Badge tone="bad">Expired: in scope</Badge>}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </CardSection>
          <CardSection id="out-heading" title={`Out of scope (${report.outOfScope.length})`} level={3} headingClassName="font-semibold">
            {report.outOfScope.length === 0 ? (
              <p className="mt-1 text-sm">No console user is out of scope.</p>
            ) : (
              <DataTable className="mt-2" label="Users out of scope" columns={['IAM user', 'Account', 'Decided', 'Reason']} bodyProps={{ 'data-testid': 'report-out-of-scope' }}>
                {report.outOfScope.map((o) => (
                  <tr key={`${o.accountId}/${o.userName}`} className="border-t border-slate-100 align-top">
                    <UserCell accountId={o.accountId} userName={o.userName} />
                    <td className="py-1.5 pr-3">{labels.get(o.accountId) ?? o.accountId}</td>
                    <td className="py-1.5 pr-3">{o.level === 'user' ? `For this user${o.decidedBy ? ` by ${o.decidedBy}` : ''}` : `Category ${o.category ?? ''}`}</td>
                    <td className="py-1.5">{o.reason ?? '—'}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </CardSection>
          <CardSection id="gaps-heading" title={`Remaining gaps (${report.gaps.length})`} level={3} headingClassName="font-semibold">
            <DataTable className="mt-2" label="Remaining gaps" columns={['IAM user', 'Account', 'Category', 'Gap', 'Suggested remediation']} bodyProps={{ 'data-testid': 'report-gaps' }}>
              {report.gaps.map((g) => (
                <tr key={`${g.accountId}/${g.userName}`} className="border-t border-slate-100 align-top">
                  <UserCell accountId={g.accountId} userName={g.userName} />
                  <td className="py-1.5 pr-3">{labels.get(g.accountId) ?? g.accountId}</td>
                  <td className="py-1.5 pr-3">
                    {g.category ?? '—'}
                    {g.deadline && <span className="block text-xs text-slate-600">deadline {fmtDay(g.deadline)}</span>}
                  </td>
                  <td className="py-1.5 pr-3">{programGapText[g.programGap]}</td>
                  <td className="py-1.5">
                    {g.remediationText}
                    {g.notes.map((n) => (
                      <span key={n} className="block text-xs text-slate-600">{n}</span>
                    ))}
                    {g.flagEvidence.length > 0 && (
                      <span className="block text-xs text-slate-600" data-testid="report-flag-evidence">
                        Flags: {g.flagEvidence.map((e) => `${flagLabel[e.flag as InventoryFlag] ?? e.flag} (${e.facts})`).join('; ')}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          </CardSection>
          <CardSection id="root-heading" title="Root users" level={3} headingClassName="font-semibold">
            <p className="text-sm text-slate-600">
              From each account&apos;s credential report. “No root credentials” (centralized root access) is not applicable, not a gap.
            </p>
            {report.rootUsers.length === 0 ? (
              <p className="mt-1 text-sm">Not in this report (generated before root users were reported, or before any inventory).</p>
            ) : (
              <ul className="mt-2 space-y-1 text-sm" data-testid="root-users">
                {report.rootUsers.map((r) => (
                  <li key={r.accountId}>
                    <span className="font-mono">{r.accountId}</span>: {r.gap ? <strong className="text-red-700">{rootStatusText[r.status]} (gap)</strong> : rootStatusText[r.status]}
                  </li>
                ))}
              </ul>
            )}
          </CardSection>
          <CardSection id="tests-heading" title="Sign-in tests of newly enrolled devices" level={3} headingClassName="font-semibold">
            {report.untestedDeviceTypes.length > 0 && (
              <p className="mt-1 text-sm text-amber-800" data-testid="untested-types">
                No passed sign-in test yet for: {report.untestedDeviceTypes.map((t) => deviceTypeLabel[t]).join(', ')}.
              </p>
            )}
            <DataTable className="mt-2" label="Sign-in tests" columns={['IAM user', 'Device', 'Enrolled', 'Test']} bodyProps={{ 'data-testid': 'report-tests' }}>
              {report.signInTests.map((t) => (
                <tr key={`${t.accountId}/${t.userName}/${t.serial}`} className="border-t border-slate-100">
                  <td className="py-1.5 pr-3 font-mono">{t.userName}</td>
                  <td className="py-1.5 pr-3">{deviceTypeLabel[t.deviceType]}</td>
                  <td className="py-1.5 pr-3">{fmt(t.enrolledAt)}</td>
                  <td className="py-1.5">{signInTestText(t.test)}</td>
                </tr>
              ))}
            </DataTable>
          </CardSection>
        </article>
      )}
      {history.length > 1 && (
        <CardSection id="earlier-heading" title="Earlier reports" headingClassName="font-semibold" className="print:hidden">
          <ul className="mt-2 text-sm">
            {history.map((h) => (
              <li key={h.id}>
                <Link className="underline" href={`/admin/report?id=${h.id}`}>
                  #{h.id}, {fmt(h.generatedAt)}
                </Link>{' '}
                by {h.actor}
              </li>
            ))}
          </ul>
        </CardSection>
      )}
    </div>
  );
}
