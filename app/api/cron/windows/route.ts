import { NextResponse, type NextRequest } from 'next/server';
import { authorizeScheduledJob } from '@/lib/auth/scheduler';
import { expireWindows } from '@/lib/windows/apply';
import { reconcileUserWindows } from '@/lib/windows/new-users';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

/**
 * Per-user windows (lib/windows), on the scheduler's bearer token only: ends the windows past their end (IAM already
 * denies from then: this tidies policies and tags), repairs window drift, opens due new-user windows and closes those of
 * users who now have MFA.
 */
async function handlePost(request: NextRequest) {
  const auth = await authorizeScheduledJob(request);
  if (auth.response) return auth.response;
  const expired = await expireWindows();
  const users = await reconcileUserWindows();
  const data = expired.status === 'success' ? expired.data : null;
  return NextResponse.json(
    { expired: data?.expired ?? 0, repaired: data?.repaired ?? 0, opened: users.opened, closed: users.closed, failures: (data?.failures.length ?? 0) + users.failures.length },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}

export const POST = withRequestLog(handlePost);
