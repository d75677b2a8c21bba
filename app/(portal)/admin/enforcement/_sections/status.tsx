import Link from 'next/link';
import type { Preview } from '@/lib/enforcement/preview';
import { COHORT_TAG, EXEMPT_TAG, POLICY_MAX_CHARS } from '@/lib/enforcement/policy';
import { cohortRows, type CohortRow } from '@/lib/enforcement/view-model';
import { formatCount, formatDateTime, formatDateTimeUtc, plural } from '@/lib/format';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { DefaultCohortForm } from '../default-cohort-form';
import { DataTable } from '@/components/ui/data-table';
import { SectionCard } from './section-card';

function Blockers({ blockers }: { blockers: string[] }) {
  if (blockers.length > 0)
    return (
      <Alert tone="error" title="Deploying is blocked">
        <ul className="list-inside list-disc space-y-1" data-testid="blockers">
          {blockers.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      </Alert>
    );
  return (
    <p className="text-sm" data-testid="no-blockers">
      Nothing blocks a deploy. Review the tags, the impact and each account’s diff below, then{' '}
      <a className="underline" href="#deploy-heading">
        deploy
      </a>
      .
    </p>
  );
}

function Facts({ p }: { p: Preview }) {
  const { program, size, members } = p.generated;
  const largest = Math.max(0, ...members.map((m) => m.chars));
  return (
    <dl className="grid gap-3 sm:grid-cols-3">
      <div className="rounded-lg border border-slate-200 p-3">
        <dt className="text-sm text-slate-700">Policy size</dt>
        <dd className={`font-semibold ${size.ok ? '' : 'text-red-800'}`} data-testid="policy-size">
          {members.length > 1 ? `${formatCount(largest)} of ${formatCount(POLICY_MAX_CHARS)} characters in the largest of ${members.length} policies` : `${formatCount(size.chars)} of ${formatCount(POLICY_MAX_CHARS)} characters`}
        </dd>
        <dd className="text-xs text-slate-600">IAM’s limit for a managed policy, whitespace not counted. A larger program is spread over several policies.</dd>
      </div>
      <div className="rounded-lg border border-slate-200 p-3">
        <dt className="text-sm text-slate-700">Managed policy</dt>
        <dd className="font-mono font-semibold break-all">
          {program.policyPath}
          {program.policyName}
          {members.length > 1 ? ` … ${members.at(-1)!.name}` : ''}
        </dd>
        <dd className="text-xs text-slate-600">The same {members.length > 1 ? 'names' : 'name'} in every account.</dd>
      </div>
      <div className="rounded-lg border border-slate-200 p-3">
        <dt className="text-sm text-slate-700">Enforced groups</dt>
        <dd className="font-mono font-semibold break-all" data-testid="enforced-groups">
          {program.groups.join(', ')}
        </dd>
        <dd className="text-xs text-slate-600">From the portal’s configuration (MFA_ENFORCEMENT_GROUPS). Only their members are ever denied.</dd>
      </div>
    </dl>
  );
}

function CohortTable({ cohorts, now }: { cohorts: CohortRow[]; now: Date }) {
  if (cohorts.length === 0)
    return (
      <p className="text-sm" data-testid="no-cohorts">
        No categories yet, so no cohorts: the policy denies nobody and only stops users from changing their own mfa-* tags.{' '}
        <Link className="underline" href="/admin/program">
          Define the program
        </Link>{' '}
        first.
      </p>
    );
  return (
    <DataTable label="Cohorts and deadlines" caption="Each cohort of the program and its deadline" boxed tableClassName="min-w-[420px]" tableProps={{ 'data-testid': 'cohorts' }} columns={['Cohort', 'Deadline (UTC)', 'Would deny', 'Access-key calls need an MFA session']}>
      {cohorts.map((c) => (
        <tr key={c.cohort} className="border-t border-slate-100 align-top" data-cohort={c.cohort}>
          <td className="py-2 pr-3 pl-2 font-mono">
            {c.cohort} {c.isDefault && <Badge tone="info">default</Badge>}
          </td>
          <td className="py-2 pr-3 whitespace-nowrap">
            {formatDateTime(c.deadline)}
            {c.deadline <= now && <span className="block text-xs text-red-800">passed: in force once deployed</span>}
          </td>
          <td className="py-2 pr-3">{plural(c.deniedEverything, 'user')}</td>
          <td className="py-2 pr-3">{plural(c.deniedKeys, 'user')}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/** What blocks a deploy, the policy's size, name and groups, the cohorts with their deadlines, and the default cohort. */
export async function Status({ preview, now }: { preview: Promise<Preview>; now: Date }) {
  const p = await preview;
  const { program } = p.generated;
  const cohorts = cohortRows(program, p.denied);
  return (
    <SectionCard id="status-heading" title="Status" className="space-y-4">
      <Blockers blockers={p.blockers} />
      <Facts p={p} />

      <section aria-labelledby="cohorts-heading" className="space-y-2">
        <h3 id="cohorts-heading" className="font-semibold">
          Cohorts and deadlines
        </h3>
        <CohortTable cohorts={cohorts} now={now} />
        <p className="text-sm text-slate-700">
          Categories sharing a cohort share its deadline. The policy matches a user’s <span className="font-mono">{COHORT_TAG}</span> tag, which the tag reconciliation below keeps in
          line with their category; <span className="font-mono">{EXEMPT_TAG}=true</span> marks an approved exception.{' '}
          <Link className="underline" href="/admin/program">
            Change the categories
          </Link>
        </p>
      </section>

      <section aria-labelledby="default-cohort-heading" className="space-y-2">
        <h3 id="default-cohort-heading" className="font-semibold">
          Users without a cohort tag
        </h3>
        <DefaultCohortForm current={program.defaultCohort} options={cohorts.map((c): [string, string] => [c.cohort, `${c.cohort} (deadline ${formatDateTimeUtc(c.deadline)})`])} />
      </section>
    </SectionCard>
  );
}
