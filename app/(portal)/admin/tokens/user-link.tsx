import Link from 'next/link';

export type UserRef = { accountId: string; userName: string };

export const userHref = (u: UserRef) => `/admin/users/${u.accountId}/${encodeURIComponent(u.userName)}`;

/** An IAM user, linked to its detail page, with its account's label. Used by server and client components alike. */
export function UserLink({ user, accountLabel }: { user: UserRef; accountLabel: string }) {
  return (
    <Link className="font-mono underline" href={userHref(user)}>
      {user.userName}
      <span className="font-sans text-slate-600"> · {accountLabel}</span>
    </Link>
  );
}
