import Link from 'next/link';
import { accountLabels } from '@/lib/accounts/registry';
import type { Principal } from '@/lib/auth/types';
import { principalKey } from '@/lib/enrollment/ownership';
import { Card } from '@/components/ui/card';

/** When the person owns several IAM users and the page does not say which one. */
export async function PrincipalPicker({ principals, href }: { principals: Principal[]; href: string }) {
  const labels = await accountLabels();
  return (
    <Card aria-labelledby="pick-heading">
      <h2 id="pick-heading" className="text-lg font-semibold">Which IAM user?</h2>
      <ul className="mt-3 space-y-2">
        {principals.map((p) => (
          <li key={p.arn}>
            <Link className="underline" href={`${href}?user=${encodeURIComponent(principalKey(p))}`}>
              {p.userName} in {labels.get(p.accountId) ?? p.accountId} ({p.accountId})
            </Link>
          </li>
        ))}
      </ul>
    </Card>
  );
}
