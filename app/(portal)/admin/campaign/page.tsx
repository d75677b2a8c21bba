import { Suspense } from 'react';
import Link from 'next/link';
import { requireRole } from '@/lib/auth/session';
import { hasRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getCampaign } from '@/lib/campaign/campaign';
import { formatDateTimeUtc } from '@/lib/format';
import { Alert } from '@/components/ui/alert';
import { Skeleton } from '@/components/ui/skeleton';
import { CohortCard } from '@/components/campaign/cohort-card';
import { DigestPanel } from './digest-panel';

export const metadata = { title: 'Campaign' };

async function CampaignBody({ actor }: { actor: Actor }) {
  const campaign = await getCampaign(actor);
  return (
    <>
      <p className="text-sm text-slate-700">
        As of {formatDateTimeUtc(campaign.generatedAt)}, from the last inventory and the portal&apos;s own enrollments. In scope and enrolled are counted as on the{' '}
        <Link href="/admin" className="underline">
          coverage dashboard
        </Link>
        ; the days come from the devices&apos; enable dates.
      </p>
      {campaign.idleUnchecked.length > 0 && (
        <Alert tone="info" title="Requests not checked">
          The “done nothing yet” lists could not check {campaign.idleUnchecked.join(', ')}: that part of the portal is not installed, so someone listed may have asked for something
          there.
        </Alert>
      )}
      {campaign.cohorts.length === 0 ? (
        <Alert tone="info" title="No cohorts yet">
          The security team has not set up any category yet: the campaign starts with the{' '}
          <Link href="/admin/program" className="underline">
            program
          </Link>
          .
        </Alert>
      ) : (
        <div className="grid min-w-0 gap-6 xl:grid-cols-2">
          {campaign.cohorts.map((c) => (
            <CohortCard key={c.cohort} c={c} />
          ))}
        </div>
      )}
    </>
  );
}

export default async function CampaignPage() {
  const actor = await requireRole('admin');
  return (
    <div className="min-w-0 space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold sm:text-3xl">Campaign</h1>
          <p className="mt-1 text-slate-700">Each cohort&apos;s progress toward its deadline, who has not started, and what is waiting for a decision.</p>
        </div>
        <p className="flex flex-wrap gap-3 text-sm">
          <a className="underline" href="/api/admin/campaign/export?format=csv" download>
            Download CSV
          </a>
          <a className="underline" href="/api/admin/campaign/export?format=json" download>
            Download JSON
          </a>
        </p>
      </div>
      <Suspense
        fallback={
          <div role="status" className="space-y-3">
            <span className="sr-only">Loading the campaign…</span>
            <Skeleton className="h-24" />
            <Skeleton className="h-64" />
          </div>
        }
      >
        <CampaignBody actor={actor} />
      </Suspense>
      {hasRole(actor.roles, 'security') && <DigestPanel actor={actor} />}
    </div>
  );
}
