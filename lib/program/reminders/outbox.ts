import 'server-only';
import { and, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { reminderSends, type ProgramUserRow } from '@/lib/db/schema';
import { sendEmail } from '@/lib/aws/ses';
import { buildReminderMessage, enrollLink, webhookPayload, type WebhookPayload } from '../reminder-plan';
import { exceptionEndMessage } from '../exception-end';
import { accountLabelOf, recipientLabel, recipientOf, type ReminderChannel, type ReminderConfig, type ReminderTrigger } from './config';
import { postWebhook, type Delivery } from './webhook';

/**
 * The outbox of reminders: each is sent exactly once per IAM user, deadline, step and channel, however many
 * instances or retries run:
 * - A worker claims a send by INSERTing its reminder_sends row with status `sending`
 *   (ON CONFLICT DO NOTHING RETURNING). The unique index (user, deadline, step, channel) lets one insert win; only
 *   the winner sends. It then records `sent` (message id, time) or `failed` (the error).
 * - A `failed` row is retried by a later run while its step is still due: one conditional UPDATE failed -> sending
 *   with attempts + 1, at most MAX_ATTEMPTS in all; again only the worker whose UPDATE matched sends. A scheduled
 *   retry waits RETRY_AFTER_MS from the last attempt (on the database's clock): retrying at once would spend the
 *   attempts on the same outage, and a worker of another instance that reaches the row just after a failure would
 *   otherwise retry it in the same run. An admin's "send now" retries at once.
 * - A row still `sending` after STALE_SENDING_MS belongs to a worker that stopped mid-send (crash, deploy). It
 *   becomes `unknown` and is never resent: the message may have gone out, and a duplicate is worse than a gap.
 *   The record shows it, so an admin can check and send one now.
 * Claims and outcomes are separate statements (never one transaction), so that a claim is visible to every
 * other worker before the send starts. Staleness is judged on the database's clock, not each instance's.
 */

export const MAX_ATTEMPTS = 3;
export const STALE_SENDING_MS = 15 * 60_000;
export const RETRY_AFTER_MS = 5 * 60_000;

type Outgoing = { subject: string; text: string; html: string; webhook: WebhookPayload };

/** The message of a deadline step, or (exceptionEnd) of an exception's end. */
function messageFor(row: ProgramUserRow, config: ReminderConfig, now: Date, exceptionEnd: boolean): Outgoing {
  const recipient = recipientOf(row, config.emailTagKey);
  const link = enrollLink(config.portalUrl, row.accountId, row.userName);
  const accountLabel = accountLabelOf(config, row.accountId);
  if (exceptionEnd) return exceptionEndMessage({ accountId: row.accountId, accountLabel, userName: row.userName, categoryName: row.categoryName, expiresAt: row.expiresAt!, link, ownerEmail: recipient.email });
  const facts = {
    accountId: row.accountId,
    accountLabel,
    userName: row.userName,
    ownerEmail: recipient.email,
    categoryName: row.categoryName,
    deadline: row.deadline!,
    gap: row.programGap,
    allowedDeviceTypes: row.allowedDeviceTypes,
    minDevices: row.minDevices,
    link,
    now,
  };
  const m = buildReminderMessage(facts);
  return { subject: m.subject, text: m.text, html: m.html, webhook: webhookPayload(facts, m) };
}

async function deliver(channel: ReminderChannel, message: Outgoing, recipient: string | null, config: ReminderConfig): Promise<Delivery> {
  try {
    if (channel === 'webhook') return await postWebhook(config.webhookUrl!, message.webhook);
    const out = await sendEmail({ from: config.emailFrom!, to: recipient!, subject: message.subject, text: message.text, html: message.html });
    return out.ok ? { ok: true, messageId: out.messageId } : { ok: false, error: `${out.name}: ${out.message || out.code}` };
  } catch (error) {
    // Whatever happened, the row must leave `sending`, or it would read as a crash (`unknown`) in 15 minutes.
    return { ok: false, error: `Unexpected error: ${(error as Error)?.message ?? String(error)}`.slice(0, 300) };
  }
}

export type SendKey = { accountId: string; userName: string; deadline: Date; step: string; channel: ReminderChannel };

export const keyWhere = (k: SendKey): SQL =>
  and(
    eq(reminderSends.accountId, k.accountId),
    eq(reminderSends.userName, k.userName),
    eq(reminderSends.deadline, k.deadline),
    eq(reminderSends.step, k.step),
    eq(reminderSends.channel, k.channel),
  )!;

type ClaimInput = SendKey & { row: ProgramUserRow; recipient: string | null; trigger: ReminderTrigger; actor: string };

/** The claim: the row's id when this worker, and no other, may send now; null otherwise. */
async function claim(db: Db, c: ClaimInput): Promise<number | null> {
  const [inserted] = await db
    .insert(reminderSends)
    .values({
      accountId: c.accountId,
      userName: c.userName,
      categoryId: c.row.categoryId,
      cohort: c.row.cohort,
      deadline: c.deadline,
      step: c.step,
      channel: c.channel,
      recipient: c.recipient,
      status: 'sending',
      attempts: 1,
      trigger: c.trigger,
      actor: c.actor,
    })
    .onConflictDoNothing()
    .returning({ id: reminderSends.id });
  if (inserted) return inserted.id;
  const [retried] = await db
    .update(reminderSends)
    .set({
      status: 'sending',
      attempts: sql`${reminderSends.attempts} + 1`,
      claimedAt: sql`now()`,
      error: null,
      recipient: c.recipient,
      trigger: c.trigger,
      actor: c.actor,
    })
    .where(
      and(
        keyWhere(c),
        eq(reminderSends.status, 'failed'),
        lt(reminderSends.attempts, MAX_ATTEMPTS),
        c.trigger === 'manual' ? undefined : sql`${reminderSends.claimedAt} < now() - ${Math.round(RETRY_AFTER_MS / 1000)}::int * interval '1 second'`,
      ),
    )
    .returning({ id: reminderSends.id });
  return retried?.id ?? null;
}

async function finish(db: Db, id: number, outcome: Delivery): Promise<void> {
  const set = outcome.ok
    ? { status: 'sent' as const, sentAt: sql`now()`, messageId: outcome.messageId, error: null }
    : { status: 'failed' as const, error: outcome.error.slice(0, 500) };
  // Only our own claim: a row another worker already judged stale stays `unknown`.
  await db.update(reminderSends).set(set).where(and(eq(reminderSends.id, id), eq(reminderSends.status, 'sending')));
}

/** Rows left `sending` by a worker that stopped mid-send become `unknown` (never resent). Returns how many. */
export async function expireStaleSends(db: Db): Promise<number> {
  const rows = await db
    .update(reminderSends)
    .set({ status: 'unknown', error: 'The sender stopped before recording the outcome; not resent, as it may have gone out.' })
    .where(and(eq(reminderSends.status, 'sending'), sql`${reminderSends.claimedAt} < now() - ${Math.round(STALE_SENDING_MS / 1000)}::int * interval '1 second'`))
    .returning({ id: reminderSends.id });
  return rows.length;
}

export type SendOutcome = 'sent' | 'failed' | 'skipped' | 'alreadySent';

/**
 * One reminder to one user on one channel: claimed, delivered and recorded, or found already claimed. With
 * `exceptionEnd`, the reminder of the user's exception ending: keyed on the exception's end date instead of the deadline.
 */
export async function sendOne(
  db: Db,
  config: ReminderConfig,
  s: { row: ProgramUserRow; step: string; channel: ReminderChannel; now: Date; trigger: ReminderTrigger; actor: string; exceptionEnd?: boolean },
): Promise<SendOutcome> {
  const { row, channel } = s;
  const key: SendKey = { accountId: row.accountId, userName: row.userName, deadline: s.exceptionEnd ? row.expiresAt! : row.deadline!, step: s.step, channel };
  const to = recipientOf(row, config.emailTagKey);
  if (channel === 'email' && to.email === null) {
    // Recorded once, so the record says why this person got no email; retried only once the tag is there.
    await db
      .insert(reminderSends)
      .values({ ...key, categoryId: row.categoryId, cohort: row.cohort, recipient: null, status: 'failed', error: to.reason, trigger: s.trigger, actor: s.actor })
      .onConflictDoNothing();
    return 'skipped';
  }
  const id = await claim(db, { ...key, row, recipient: recipientLabel(channel, to.email, config), trigger: s.trigger, actor: s.actor });
  if (id === null) return 'alreadySent';
  const outcome = await deliver(channel, messageFor(row, config, s.now, s.exceptionEnd === true), to.email, config);
  await finish(db, id, outcome);
  return outcome.ok ? 'sent' : 'failed';
}
