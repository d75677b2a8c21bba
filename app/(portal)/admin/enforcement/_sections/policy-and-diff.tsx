import type { Preview } from '@/lib/enforcement/preview';
import { formatCount } from '@/lib/format';
import { AccountPolicy } from './account-policy';
import { ScrollRegion } from '@/components/ui/data-table';
import { SectionCard } from './section-card';

/** The generated policy, and per account what is deployed there and what a deploy would change. */
export async function PolicyAndDiff({ preview }: { preview: Promise<Preview> }) {
  const p = await preview;
  return (
    <SectionCard id="policy-heading" title="Policy and diff" className="space-y-4">
      <details>
        <summary className="cursor-pointer underline">
          The generated policy{p.generated.members.length > 1 ? ` set (${p.generated.members.length} managed policies, ` : ' ('}
          {formatCount(p.generated.size.chars)} characters, version <span className="font-mono">{p.generated.hash}</span>)
        </summary>
        <div className="mt-2">
          <ScrollRegion label="The generated policy" className="rounded-lg border border-slate-200">
            <pre className="p-3 font-mono text-xs leading-5" data-testid="generated-policy">
              {p.pretty}
            </pre>
          </ScrollRegion>
        </div>
      </details>
      <div className="space-y-4">
        {p.accounts.map((a) => (
          <AccountPolicy key={a.accountId} a={a} />
        ))}
      </div>
    </SectionCard>
  );
}
