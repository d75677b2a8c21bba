import { NextResponse, type NextRequest } from 'next/server';
import { authorizeScheduledJob } from '@/lib/auth/scheduler';
import { runWeeklyDigest } from '@/lib/campaign/digest';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

/**
 * The security team's weekly campaign digest: the scheduler's bearer token (MFA_CRON_SECRET) only. Sends this ISO
 * week's digest on each configured channel unless it went already (exactly once per week, see lib/campaign/digest.ts),
 * so a scheduler may call it weekly or more often. Audited as `campaign.digest.run`.
 */
async function handlePost(request: NextRequest) {
  const auth = await authorizeScheduledJob(request);
  if (auth.response) return auth.response;
  const summary = await runWeeklyDigest({ actor: auth.actor });
  return NextResponse.json(summary, { headers: { 'Cache-Control': 'no-store' } });
}

export const POST = withRequestLog(handlePost);
