import Link from 'next/link';
import { requireRole } from '@/lib/auth/session';
import { getEnv } from '@/lib/env';
import { getValidationReport, listValidationReports } from '@/lib/inventory/report';
import { remediationText } from '@/lib/inventory/coverage-view';
import { deviceTypeLabel } from '@/lib/aws/mfa-devices';
import { Card } from '@/components/ui/card';
import { Alert } from '@/components/ui/alert';
import { buttonClass } from '@/components/ui/button';
import { GenerateReport, PrintButton } from '@/components/coverage/report-controls';
import { TableHead } from '@/components/ui/table-head';

export const metadata = { title: 'Validation report' };

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const fmt = (d: string | Date | null) => (d ? `${when.format(new Date(d))} UTC` : '—');

export default async function ReportPage({ searchParams }: { searchParams: Promise<{ id?: string }> }) {
  const actor = await requireRole('admin');
  const { id } = await searchParams;
  const history = await listValidationReports(actor);
  const selectedId = Number(id ?? history[0]?.id ?? 0);
  const report = selectedId ? await getValidationReport(actor, selectedId) : null;
  const labels = new Map(getEnv().MFA_ACCOUNTS.map((a) => [a.id, a.label]));
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold sm:text-3xl">Validation report</h1>
          <p className="mt-1 text-slate-700">In-scope console users, MFA, exceptions, remaining gaps and sign-in tests — for auditors.</p>
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
              <a className={buttonClass('secondary')} href={`/api/admin/report/${selectedId}?format=csv`} download>
                Export CSV
              </a>
              <a className={buttonClass('secondary')} href={`/api/admin/report/${selectedId}?format=json`} download>
                Export JSON
              </a>
            </div>
          </div>
          <Card aria-labelledby="totals-heading">
            <h3 id="totals-heading" className="font-semibold">Totals</h3>
            <dl className="mt-2 grid grid-cols-2 gap-2 text-sm sm:grid-cols-3 lg:grid-cols-6" data-testid="report-totals">
              {(
                [
                  ['In scope (console users)', report.totals.inScope],
                  ['MFA enabled', report.totals.enabled],
                  ['Exceptions', report.totals.exceptions],
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
          </Card>
          <Card aria-labelledby="exceptions-heading">
            <h3 id="exceptions-heading" className="font-semibold">Exceptions checked against the register</h3>
            <p className="mt-1 text-sm">
              {report.exceptions.length === 0 ? 'No approved exceptions are registered yet: every console user is in scope.' : `${report.exceptions.length} exceptions.`}
            </p>
          </Card>
          <Card aria-labelledby="gaps-heading">
            <h3 id="gaps-heading" className="font-semibold">Remaining gaps ({report.gaps.length})</h3>
            <div className="overflow-x-auto">
              <table className="mt-2 w-full text-left text-sm">
                <TableHead columns={['IAM user', 'Account', 'Suggested remediation']} />
                <tbody data-testid="report-gaps">
                  {report.gaps.map((g) => (
                    <tr key={`${g.accountId}/${g.userName}`} className="border-t border-slate-100">
                      <td className="py-1.5 pr-3 font-mono">
                        <Link className="underline print:no-underline" href={`/admin/users/${g.accountId}/${encodeURIComponent(g.userName)}`}>
                          {g.userName}
                        </Link>
                      </td>
                      <td className="py-1.5 pr-3">{labels.get(g.accountId) ?? g.accountId}</td>
                      <td className="py-1.5">{remediationText[g.remediation]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
          <Card aria-labelledby="tests-heading">
            <h3 id="tests-heading" className="font-semibold">Sign-in tests of newly enrolled devices</h3>
            {report.untestedDeviceTypes.length > 0 && (
              <p className="mt-1 text-sm text-amber-800" data-testid="untested-types">
                No passed sign-in test yet for: {report.untestedDeviceTypes.map((t) => deviceTypeLabel[t]).join(', ')}.
              </p>
            )}
            <div className="overflow-x-auto">
              <table className="mt-2 w-full text-left text-sm">
                <TableHead columns={['IAM user', 'Device', 'Enrolled', 'Test']} />
                <tbody data-testid="report-tests">
                  {report.signInTests.map((t) => (
                    <tr key={`${t.accountId}/${t.userName}/${t.serial}`} className="border-t border-slate-100">
                      <td className="py-1.5 pr-3 font-mono">{t.userName}</td>
                      <td className="py-1.5 pr-3">{deviceTypeLabel[t.deviceType]}</td>
                      <td className="py-1.5 pr-3">{fmt(t.enrolledAt)}</td>
                      <td className="py-1.5">{t.test ? `${t.test.kind === 'cli' ? 'CLI (STS)' : 'Console'}: ${t.test.passed ? 'passed' : `failed${t.test.reason ? ` (${t.test.reason})` : ''}`}` : 'Not tested yet'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        </article>
      )}
      {history.length > 1 && (
        <Card aria-labelledby="earlier-heading" className="print:hidden">
          <h2 id="earlier-heading" className="font-semibold">Earlier reports</h2>
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
        </Card>
      )}
    </div>
  );
}
