import { Suspense } from 'react';
import { requireUser } from '@/lib/auth/session';
import { getMemberOverview } from '@/lib/members/overview';
import { getEnv } from '@/lib/env';
import { IamUserCard } from '@/components/members/iam-user-card';
import { Alert } from '@/components/ui/alert';
import { Skeleton } from '@/components/ui/skeleton';
import type { Actor } from '@/lib/auth/types';
import { requestExtensionAction } from './more-time/actions';
import { requestsForUser } from '@/lib/program/exception-requests';
import { requestOwnExceptionAction, withdrawOwnExceptionAction } from './actions';

export const metadata = { title: 'My IAM users' };

async function IamUsers({ actor }: { actor: Actor }) {
  const now = new Date();
  const users = await getMemberOverview(actor, now);
  const requests = await Promise.all(users.map((u) => requestsForUser(actor, u, 3)));
  return (
    <ul className="grid gap-4 lg:grid-cols-2" aria-label="Your IAM users">
      {users.map((u, i) => (
        <li key={`${u.accountId}/${u.userName}`}>
          <IamUserCard
            user={u}
            now={now}
            requestExtension={requestExtensionAction}
            requests={requests[i]}
            requestAction={requestOwnExceptionAction}
            withdraw={{ viewerId: actor.id, action: withdrawOwnExceptionAction }}
          />
        </li>
      ))}
    </ul>
  );
}

function NoIamUsers({ actor }: { actor: Actor }) {
  const tagKey = getEnv().MFA_EMAIL_TAG_KEY;
  return (
    <Alert tone="info" title="No IAM users are linked to you yet">
      <p>
        {actor.method === 'oidc' ? (
          <>
            We looked in every AWS account this portal manages for IAM users tagged <code className="font-mono">{tagKey}</code> ={' '}
            <strong>{actor.email}</strong>, and found none.
          </>
        ) : (
          <>Your access keys did not resolve to an IAM user in a managed account.</>
        )}
      </p>
      <p className="mt-2">
        If you use an IAM user in AWS, ask your cloud administrator to tag it with <code className="font-mono">{tagKey}</code> set to
        your email address. You can also sign in with that IAM user&apos;s access keys.
      </p>
    </Alert>
  );
}

export default async function HomePage() {
  const actor = await requireUser();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">My IAM users</h1>
        <p className="mt-1 text-slate-700">Each AWS IAM user you own, whether it can sign in to the console, its MFA devices (read live from AWS), and what the MFA program asks of it by when. Deadlines are in UTC.</p>
      </div>
      {actor.principals.length === 0 ? (
        <NoIamUsers actor={actor} />
      ) : (
        <Suspense
          fallback={
            <div role="status" aria-live="polite" className="grid gap-4 lg:grid-cols-2">
              <span className="sr-only">Reading your IAM users from AWS…</span>
              {actor.principals.map((p) => (
                <Skeleton key={p.arn} className="h-40" />
              ))}
            </div>
          }
        >
          <IamUsers actor={actor} />
        </Suspense>
      )}
    </div>
  );
}
