import 'server-only';
import { and, eq, gt, isNotNull, lte } from 'drizzle-orm';
import pLimit from 'p-limit';
import { getEnv } from '@/lib/env';
import { getDb } from '@/lib/db/client';
import { programUsers, type ProgramUserRow } from '@/lib/db/schema';
import { EXCEPTION_END_DAYS, EXCEPTION_END_STEP, exceptionEndDue } from '../exception-end';
import { recordAudit } from '@/lib/audit/log';
import { trackWork } from '@/lib/ops/lifecycle';
import { DAY_MS, dueStep } from '../reminder-plan';
import { getReminderDays } from '../settings';
import { channelsOf, reminderConfig, type ReminderChannel, type ReminderOptions, type ReminderTrigger } from './config';
import { expireStaleSends, sendOne } from './outbox';
import { log, withJobContext } from '@/lib/log';

/**
 * The scheduled run: which step is due is reminder-plan.ts's dueStep; sending starts and stops with the deadline:
 * nothing is sent before its first step or after the deadline, and a missed step is not caught up.
 */

/** Sends at once: enough to overlap SES's latency, few enough for its per-second sending quota. */
const SEND_CONCURRENCY = 4;

export type ReminderRunSummary = {
  /** Reminders are off: no channel is configured. */
  off: boolean;
  channels: ReminderChannel[];
  /** (user, channel) sends due now; each ends as exactly one of the four below. */
  due: number;
  sent: number;
  failed: number;
  /** Not sendable: email to a user without an email tag. */
  skipped: number;
  /** Already recorded (sent, unknown, out of attempts) or in progress in another worker. */
  alreadySent: number;
  /** Rows found stuck in `sending` and marked `unknown` by this run. */
  markedUnknown: number;
};

/**
 * Sends every reminder due at `now`, each exactly once across all instances (see outbox.ts), and audits the
 * run. The caller authorizes (the cron route, or an admin's action).
 */
export async function runReminders(
  input: { actor: string; trigger: ReminderTrigger; now?: Date },
  options: ReminderOptions = {},
): Promise<ReminderRunSummary> {
  const db = options.db ?? (await getDb());
  const config = await reminderConfig(options.config);
  const now = input.now ?? new Date();
  const channels = channelsOf(config);
  const summary: ReminderRunSummary = { off: channels.length === 0, channels, due: 0, sent: 0, failed: 0, skipped: 0, alreadySent: 0, markedUnknown: 0 };
  summary.markedUnknown = await expireStaleSends(db);

  if (!summary.off) {
    const days = await getReminderDays(db);
    const horizon = new Date(now.getTime() + Math.max(...days) * DAY_MS);
    const candidates = await db
      .select()
      .from(programUsers)
      .where(
        and(
          eq(programUsers.inScope, true),
          eq(programUsers.compliant, false),
          isNotNull(programUsers.deadline),
          gt(programUsers.deadline, now),
          lte(programUsers.deadline, horizon),
        ),
      );
    const work: { row: ProgramUserRow; step: string; channel: ReminderChannel; exceptionEnd?: boolean }[] = candidates.flatMap((row) => {
      const step = dueStep(row.deadline!, days, now);
      return step ? channels.map((channel) => ({ row, step: step.key, channel })) : [];
    });
    // Exceptions ending within EXCEPTION_END_DAYS: their owners hear of it once per end date (the outbox's key).
    const ending = await db
      .select()
      .from(programUsers)
      .where(and(eq(programUsers.decision, 'exception'), gt(programUsers.expiresAt, now), lte(programUsers.expiresAt, new Date(now.getTime() + EXCEPTION_END_DAYS * DAY_MS))));
    for (const row of ending) if (exceptionEndDue(row.expiresAt!, now)) work.push(...channels.map((channel) => ({ row, step: EXCEPTION_END_STEP, channel, exceptionEnd: true })));
    summary.due = work.length;
    await pLimit(SEND_CONCURRENCY).map(work, async ({ row, step, channel, exceptionEnd }) => {
      const outcome = await sendOne(db, config, { row, step, channel, now, trigger: input.trigger, actor: input.actor, exceptionEnd });
      summary[outcome]++;
    });
  }

  await recordAudit(db, {
    actor: input.actor,
    action: 'reminders.run',
    outcome: summary.failed > 0 ? 'failure' : 'success',
    detail: { trigger: input.trigger, ...summary },
  });
  return summary;
}

let scheduler: ReturnType<typeof setInterval> | undefined;
let scheduledRun: Promise<unknown> | undefined;

/**
 * The optional in-process schedule (MFA_REMINDER_INTERVAL_MINUTES). Every instance may run it: the claims keep
 * each reminder to one send. Within this process, a tick is skipped while the previous run is still going.
 */
export function startReminderSchedule(): void {
  const minutes = getEnv().MFA_REMINDER_INTERVAL_MINUTES;
  if (minutes === 0 || scheduler) return;
  scheduler = setInterval(() => {
    if (scheduledRun) return;
    scheduledRun = trackWork(
      withJobContext('reminders-schedule', () => runReminders({ actor: 'scheduler', trigger: 'schedule' }))
        .catch((error: unknown) => log.error({ err: error }, 'reminders: scheduled run failed'))
        .finally(() => {
          scheduledRun = undefined;
        }),
    );
  }, minutes * 60_000);
  scheduler.unref?.();
}

/**
 * Shutdown: no further ticks. A run in flight is waited for (trackWork) but its sends' claims are not given back: a
 * claim in `sending` may already have gone out, and the next run marks it unknown rather than send it twice.
 */
export function stopReminderSchedule(): void {
  clearInterval(scheduler);
  scheduler = undefined;
}
