import { accountLabels } from '@/lib/accounts/registry';
import Link from 'next/link';
import { Suspense } from 'react';
import { requireRole } from '@/lib/auth/session';
import { previewEnforcement } from '@/lib/enforcement/preview';
import { getTagDrift } from '@/lib/enforcement/tags';
import type { AccountLabels } from '@/lib/enforcement/view-model';
import { Loading } from '@/components/ui/skeleton';
import { Deploy } from './_sections/deploy';
import { Impact } from './_sections/impact';
import { PolicyAndDiff } from './_sections/policy-and-diff';
import { Status } from './_sections/status';
import { TagReconciliation } from './_sections/tag-reconciliation';

export const metadata = { title: 'Enforcement' };
export const dynamic = 'force-dynamic';

// No loading.tsx: the 403 must be decided before any HTML streams (see app/(portal)/layout.tsx). The sections
// stream in <Suspense> instead; four of them share one preview (one read of each account's policy).
export default async function EnforcementPage() {
  const actor = await requireRole('security');
  const preview = previewEnforcement(actor);
  const drift = getTagDrift(actor);
  const labels: AccountLabels = await accountLabels();
  const now = new Date();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Enforcement</h1>
        <p className="mt-1 text-slate-700">
          The deny-unless-MFA policy the program generates: from each cohort’s deadline it denies IAM users in the enforced groups everything but MFA self-service until they use
          MFA. Review the tags, the impact and the diff, then deploy it to every account. Every change is recorded in the{' '}
          <Link className="underline" href="/admin/audit?action=enforcement.*">
            audit log
          </Link>
          .
        </p>
      </div>
      <Suspense fallback={<Loading label="Reading the enforcement policy in each account…" className="h-72" />}>
        <Status preview={preview} now={now} />
      </Suspense>
      <Suspense fallback={<Loading label="Comparing the users’ tags with the program…" className="h-40" />}>
        <TagReconciliation drift={drift} labels={labels} />
      </Suspense>
      <Suspense fallback={<Loading label="Working out who the policy would deny…" className="h-48" />}>
        <Impact preview={preview} labels={labels} now={now} />
      </Suspense>
      <Suspense fallback={<Loading label="Comparing the policy with each account…" className="h-96" />}>
        <PolicyAndDiff preview={preview} />
      </Suspense>
      <Suspense fallback={<Loading label="Preparing the deploy…" className="h-32" />}>
        <Deploy preview={preview} />
      </Suspense>
    </div>
  );
}
