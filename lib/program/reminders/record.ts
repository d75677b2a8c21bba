import 'server-only';
import { and, desc, eq, ilike, sql, type SQL } from 'drizzle-orm';
import { getEnv, type ManagedAccount } from '@/lib/env';
import { getDb } from '@/lib/db/client';
import { reminderSends, type ReminderSendRow } from '@/lib/db/schema';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getReminderDays } from '../settings';
import { stepLabel, type ReminderFilters, type SendStatus } from '../reminder-plan';
import { accountLabelOf, channelsOf, reminderConfig, type ReminderOptions } from './config';
import { expireStaleSends } from './outbox';
import { webhookHost } from './webhook';

export type ReminderRecord = Pick<
  ReminderSendRow,
  'id' | 'accountId' | 'userName' | 'deadline' | 'step' | 'channel' | 'recipientRole' | 'recipient' | 'attempts' | 'claimedAt' | 'sentAt' | 'error' | 'trigger' | 'actor'
> & { status: SendStatus; accountLabel: string; stepLabel: string };

/** The record of reminders, newest first (admin). Stale `sending` rows are shown as what they are: `unknown`. */
export async function listReminderSends(actor: Actor, f: ReminderFilters, options: ReminderOptions = {}): Promise<{ rows: ReminderRecord[]; total: number }> {
  assertRole(actor.roles, 'admin', 'the reminder record');
  const db = options.db ?? (await getDb());
  const config = await reminderConfig(options.config);
  await expireStaleSends(db);
  const parts: SQL[] = [];
  if (f.status) parts.push(eq(reminderSends.status, f.status));
  if (f.q) parts.push(ilike(reminderSends.userName, `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  const where = parts.length ? and(...parts) : undefined;
  const [rows, [count]] = await Promise.all([
    db
      .select()
      .from(reminderSends)
      .where(where)
      .orderBy(desc(reminderSends.claimedAt), desc(reminderSends.id))
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(reminderSends).where(where),
  ]);
  return {
    total: count?.n ?? 0,
    rows: rows.map((r) => ({
      id: r.id,
      accountId: r.accountId,
      accountLabel: accountLabelOf(config, r.accountId),
      userName: r.userName,
      deadline: r.deadline,
      step: r.step,
      stepLabel: stepLabel(r.step),
      channel: r.channel,
      recipientRole: r.recipientRole,
      recipient: r.recipient,
      status: r.status,
      attempts: r.attempts,
      claimedAt: r.claimedAt,
      sentAt: r.sentAt,
      error: r.error,
      trigger: r.trigger,
      actor: r.actor,
    })),
  };
}

export type ReminderSetup = {
  off: boolean;
  emailFrom: string | null;
  /** Only the host: the webhook URL itself is a secret. */
  webhookHost: string | null;
  days: number[];
  intervalMinutes: number;
  accounts: ManagedAccount[];
};

/** What the reminders page shows about the configuration (admin). */
export async function getReminderSetup(actor: Actor, options: ReminderOptions = {}): Promise<ReminderSetup> {
  assertRole(actor.roles, 'admin', 'the reminder settings');
  const db = options.db ?? (await getDb());
  const config = await reminderConfig(options.config);
  return {
    off: channelsOf(config).length === 0,
    emailFrom: config.emailFrom,
    webhookHost: config.webhookUrl ? webhookHost(config.webhookUrl) : null,
    days: await getReminderDays(db),
    intervalMinutes: getEnv().MFA_REMINDER_INTERVAL_MINUTES,
    accounts: config.accounts,
  };
}
