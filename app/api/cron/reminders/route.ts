import { NextResponse, type NextRequest } from 'next/server';
import { authorizeScheduledJob } from '@/lib/auth/scheduler';
import { runReminders } from '@/lib/program/reminders/run';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

/**
 * Scheduled reminders: the scheduler's bearer token (MFA_CRON_SECRET) only. Sends whatever is
 * due now and answers with the summary; safe to call from several schedulers or instances at once (each reminder
 * is claimed once, see lib/program/reminders/outbox.ts). The run is audited as `reminders.run`.
 */
async function handlePost(request: NextRequest) {
  const auth = await authorizeScheduledJob(request);
  if (auth.response) return auth.response;
  const summary = await runReminders({ actor: auth.actor, trigger: auth.actor === 'scheduler' ? 'schedule' : 'manual' });
  return NextResponse.json(summary, { headers: { 'Cache-Control': 'no-store' } });
}

export const POST = withRequestLog(handlePost);
