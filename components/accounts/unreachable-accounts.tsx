import { UNREACHABLE_REMEDY, type UnreachableAccount } from '@/lib/accounts/status';
import { Alert } from '@/components/ui/alert';
import { formatDateTimeUtc } from '@/lib/format';

/**
 * Managed accounts the portal could not read: their users are unknown, so every figure that sums accounts leaves
 * them out rather than counting them as accounts without users.
 */
export function UnreachableAccounts({ accounts }: { accounts: UnreachableAccount[] }) {
  if (accounts.length === 0) return null;
  return (
    <div data-testid="unreachable-accounts">
      <Alert tone="warning" title={accounts.length === 1 ? '1 managed account is unreachable' : `${accounts.length} managed accounts are unreachable`}>
        <p>
          The portal could not assume its member role there at the last inventory run, so their IAM users are unknown: they are not counted in the
          figures or the coverage (not as 0 users).
        </p>
        <ul className="mt-2 list-disc space-y-1 pl-5">
          {accounts.map((a) => (
            <li key={a.id} data-testid="unreachable-account">
              <strong>{a.label}</strong> <span className="font-mono">{a.id}</span>
              {a.reason ? `: ${a.reason}` : ''}
              {a.checkedAt ? ` (${formatDateTimeUtc(a.checkedAt)})` : ''}
            </li>
          ))}
        </ul>
        <p className="mt-2">Remedy: {UNREACHABLE_REMEDY}</p>
      </Alert>
    </div>
  );
}
