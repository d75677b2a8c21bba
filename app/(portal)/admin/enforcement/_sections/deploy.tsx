import type { Preview } from '@/lib/enforcement/preview';
import { deployView } from '@/lib/enforcement/view-model';
import { DeployPanel } from '../deploy-panel';
import { SectionCard } from './section-card';

/** What a deploy would change in each account, and the deploy itself. */
export async function Deploy({ preview }: { preview: Promise<Preview> }) {
  const p = await preview;
  const { accounts, pending, unreadable } = deployView(p.accounts);
  return (
    <SectionCard id="deploy-heading" title="Deploy" className="space-y-3">
      <p className="text-sm text-slate-700">
        Creates the policy, or a new default version of it, in every account and attaches it to the enforced groups there. The program is checked again first: if it changed since
        this page was loaded, nothing is deployed.
      </p>
      <DeployPanel hash={p.generated.hash} accounts={accounts} pending={pending} unreadable={unreadable} blocked={p.blockers.length > 0} />
    </SectionCard>
  );
}
