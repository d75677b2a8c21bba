import Link from 'next/link';
import type { Principal } from '@/lib/auth/types';
import { principalKey } from '@/lib/enrollment/ownership';
import { Alert } from '@/components/ui/alert';
import { buttonClass } from '@/components/ui/button';

/** Shown instead of an enrollment form when the IAM user's category does not allow this type (e.g. a typed URL). */
export function TypeRefused({ title, message, principal }: { title: string; message: string; principal: Pick<Principal, 'accountId' | 'userName'> }) {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold sm:text-3xl">{title}</h1>
      <Alert tone="warning" title="This kind of device is not allowed for this IAM user">
        <p data-testid="type-refusal">{message}</p>
      </Alert>
      <Link href={`/enroll?user=${encodeURIComponent(principalKey(principal))}`} className={buttonClass('primary')}>
        Choose an allowed device
      </Link>
    </div>
  );
}
