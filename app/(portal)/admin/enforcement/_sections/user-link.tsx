import Link from 'next/link';
import { userHref, type AccountLabels } from '@/lib/enforcement/view-model';

/** An IAM user's name, linked to their admin page, and the account it is in. */
export function UserLink({ user, labels, className }: { user: { accountId: string; userName: string }; labels: AccountLabels; className: string }) {
  return (
    <>
      <Link className={className} href={userHref(user)}>
        {user.userName}
      </Link>
      <span className="text-slate-600"> · {labels.get(user.accountId) ?? user.accountId}</span>
    </>
  );
}
