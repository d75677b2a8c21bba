import 'server-only';
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { programUsers, reminderSends } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { accountIdField, userArn, userNameField } from '@/lib/iam-identifiers';
import { decisionLabel } from '../resolve';
import { channelsOf, recipientLabel, recipientOf, reminderConfig, type ReminderChannel, type ReminderOptions } from './config';
import { keyWhere, sendOne } from './outbox';

const refSchema = z.object({
  accountId: accountIdField(),
  userName: z.string().trim().pipe(userNameField('Enter an IAM user name (letters, digits and +=,.@_-).')),
});

export type SendNowResult = { step: string; channels: { channel: ReminderChannel; recipient: string | null; status: 'sent' | 'failed' | 'skipped'; error: string | null }[] };

/**
 * An admin's "send a reminder now" to one IAM user, on every configured channel, outside the schedule (its own
 * `manual-…` step, so it never takes the place of a scheduled one). Refused, with the reason, for a user who is not
 * in scope, already compliant or has no deadline.
 */
export async function sendReminderNow(actor: Actor, input: { accountId: string; userName: string }, options: ReminderOptions = {}): Promise<ActionResult<SendNowResult>> {
  assertRole(actor.roles, 'admin', 'sending reminders');
  const ref = refSchema.safeParse(input);
  if (!ref.success) return fail('InvalidInput', ref.error.issues.map((i) => i.message).join(' '));
  const { accountId, userName } = ref.data;
  const db = options.db ?? (await getDb());
  const config = await reminderConfig(options.config);
  const now = new Date();
  const target = userArn(accountId, userName);
  const refuse = async (code: string, message: string) => {
    await recordAudit(db, { actor: actor.id, action: 'reminders.send-now', target, outcome: 'failure', detail: { reason: code } });
    return fail(code, message);
  };

  const channels = channelsOf(config);
  if (channels.length === 0) return refuse('RemindersOff', 'Reminders are off: configure MFA_REMINDER_EMAIL_FROM and/or MFA_REMINDER_WEBHOOK_URL.');
  if (!config.accounts.some((a) => a.id === accountId)) return refuse('UnmanagedAccount', `The portal does not manage account ${accountId}.`);
  const [row] = await db.select().from(programUsers).where(and(eq(programUsers.accountId, accountId), eq(programUsers.userName, userName)));
  if (!row) return refuse('NotInInventory', `${userName} is not in the inventory of account ${accountId}. Check the name, or refresh the inventory.`);
  if (!row.inScope) {
    const why = !row.consoleAccess ? 'it has no console password' : `its decision is “${decisionLabel[row.decision]}”`;
    return refuse('NotInScope', `${userName} is not in scope of the MFA program (${why}), so it gets no reminders.`);
  }
  if (row.compliant) return refuse('AlreadyCompliant', `${userName} already has the MFA its category requires; there is nothing to remind about.`);
  if (!row.deadline) return refuse('NoDeadline', `${userName} is in no category with a deadline; put it in a category first.`);
  const to = recipientOf(row, config.emailTagKey);
  if (to.email === null && !channels.includes('webhook')) return refuse('NoRecipient', `${to.reason} No webhook is configured either, so the reminder cannot go anywhere.`);

  const step = `manual-${now.toISOString()}-${randomBytes(2).toString('hex')}`;
  const results: SendNowResult['channels'] = [];
  for (const channel of channels) {
    const outcome = await sendOne(db, config, { row, step, channel, now, trigger: 'manual', actor: actor.id });
    const [recorded] = await db.select({ error: reminderSends.error }).from(reminderSends).where(keyWhere({ accountId, userName, deadline: row.deadline, step, channel }));
    results.push({ channel, recipient: recipientLabel(channel, to.email, config), status: outcome === 'alreadySent' ? 'failed' : outcome, error: recorded?.error ?? null });
  }
  const sent = results.filter((r) => r.status === 'sent');
  await recordAudit(db, {
    actor: actor.id,
    action: 'reminders.send-now',
    target,
    outcome: sent.length > 0 ? 'success' : 'failure',
    detail: { step, results: results.map(({ channel, status, error }) => ({ channel, status, error })) },
  });
  const where = (r: SendNowResult['channels'][number]) =>
    r.channel === 'webhook' ? `to the webhook (${r.recipient})` : r.recipient ? `by email to ${r.recipient}` : 'by email';
  const problems = results.filter((r) => r.status !== 'sent').map((r) => `Not sent ${where(r)}: ${r.error ?? 'unknown error'}`);
  if (sent.length === 0) return fail('SendFailed', `No reminder went out to ${userName}. ${problems.join(' ')}`);
  return ok({ step, channels: results }, `Reminder sent to ${userName} ${sent.map(where).join(' and ')}.${problems.length ? ` ${problems.join(' ')}` : ''}`);
}
