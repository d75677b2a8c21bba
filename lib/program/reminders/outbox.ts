import 'server-only';
import { and, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { reminderSends, type ProgramUserRow } from '@/lib/db/schema';
import { sendEmail } from '@/lib/aws/ses';
import { enrollLink, type ReminderFacts } from '../reminder-plan';
import { kindFor, messageValues, renderEmail, renderWebhook, type EscalationFacts, type RecipientRole } from '../messages/compose';
import type { Resolved } from '../messages/escalation';
import { templateFor } from '../messages/store';
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
 * An escalated step (messages/escalation.ts) also emails the IAM user's owner and its account's contact: the
 * recipient's role is part of the key, so each of them, too, gets that step exactly once.
 * Claims and outcomes are separate statements (never one transaction), so that a claim is visible to every
 * other worker before the send starts. Staleness is judged on the database's clock, not each instance's.
 */

export const MAX_ATTEMPTS = 3;
export const STALE_SENDING_MS = 15 * 60_000;
export const RETRY_AFTER_MS = 5 * 60_000;

export function factsFor(row: ProgramUserRow, config: ReminderConfig, now: Date): ReminderFacts {
  const recipient = recipientOf(row, config.emailTagKey);
  return {
    accountId: row.accountId,
    accountLabel: accountLabelOf(config, row.accountId),
    userName: row.userName,
    ownerEmail: recipient.email,
    categoryName: row.categoryName,
    deadline: row.deadline!,
    gap: row.programGap,
    allowedDeviceTypes: row.allowedDeviceTypes,
    minDevices: row.minDevices,
    link: enrollLink(config.portalUrl, row.accountId, row.userName),
    now,
  };
}

type Message = { facts: ReminderFacts; role: RecipientRole; escalation: EscalationFacts | null; exceptionEnd: boolean; expiresAt: Date | null };

/** The stored template of the message's kind (or its default), rendered and delivered; an exception's end has its own fixed wording. */
async function deliver(db: Db, channel: ReminderChannel, m: Message, recipient: string | null, config: ReminderConfig): Promise<Delivery> {
  try {
    if (m.exceptionEnd) {
      const f = m.facts;
      const e = exceptionEndMessage({ accountId: f.accountId, accountLabel: f.accountLabel, userName: f.userName, categoryName: f.categoryName, expiresAt: m.expiresAt!, link: f.link, ownerEmail: f.ownerEmail });
      if (channel === 'webhook') return await postWebhook(config.webhookUrl!, e.webhook);
      const out = await sendEmail({ from: config.emailFrom!, to: recipient!, subject: e.subject, text: e.text, html: e.html });
      return out.ok ? { ok: true, messageId: out.messageId } : { ok: false, error: `${out.name}: ${out.message || out.code}` };
    }
    const kind = kindFor(m.facts, m.role, channel === 'webhook' && m.escalation !== null);
    const values = messageValues(m.facts, { ...m.escalation, recipientRole: m.role });
    const template = await templateFor(db, kind, channel);
    if (channel === 'webhook') return await postWebhook(config.webhookUrl!, renderWebhook(template, values));
    const message = renderEmail(template, values);
    const out = await sendEmail({ from: config.emailFrom!, to: recipient!, subject: message.subject, text: message.text, html: message.html });
    return out.ok ? { ok: true, messageId: out.messageId } : { ok: false, error: `${out.name}: ${out.message || out.code}` };
  } catch (error) {
    // Whatever happened, the row must leave `sending`, or it would read as a crash (`unknown`) in 15 minutes.
    return { ok: false, error: `Unexpected error: ${(error as Error)?.message ?? String(error)}`.slice(0, 300) };
  }
}

export type SendKey = { accountId: string; userName: string; deadline: Date; step: string; channel: ReminderChannel; role?: RecipientRole };

export const keyWhere = (k: SendKey): SQL =>
  and(
    eq(reminderSends.accountId, k.accountId),
    eq(reminderSends.userName, k.userName),
    eq(reminderSends.deadline, k.deadline),
    eq(reminderSends.step, k.step),
    eq(reminderSends.channel, k.channel),
    eq(reminderSends.recipientRole, k.role ?? 'user'),
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
      recipientRole: c.role ?? 'user',
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

export type SendInput = {
  row: ProgramUserRow;
  step: string;
  channel: ReminderChannel;
  now: Date;
  trigger: ReminderTrigger;
  actor: string;
  /** Whom the email is for (default the IAM user's person, by its email tag); owner and account need `to`. */
  role?: RecipientRole;
  to?: Resolved;
  /** Set at an escalated step: the owner and contact the messages may name. */
  escalation?: EscalationFacts | null;
  /** The reminder of the user's exception ending: keyed on the exception's end date instead of the deadline. */
  exceptionEnd?: boolean;
};

/**
 * One reminder to one recipient on one channel: claimed, delivered and recorded, or found already claimed. With
 * `exceptionEnd`, the reminder of the user's exception ending: keyed on the exception's end date instead of the deadline.
 */
export async function sendOne(db: Db, config: ReminderConfig, s: SendInput): Promise<SendOutcome> {
  const { row, channel } = s;
  const role = channel === 'webhook' ? 'user' : (s.role ?? 'user');
  const key: SendKey = { accountId: row.accountId, userName: row.userName, deadline: s.exceptionEnd ? row.expiresAt! : row.deadline!, step: s.step, channel, role };
  const to: Resolved = role === 'user' || !s.to ? recipientOf(row, config.emailTagKey) : s.to;
  if (channel === 'email' && to.email === null) {
    // Recorded once, so the record says why this person got no email; retried only once the tag is there.
    await db
      .insert(reminderSends)
      .values({ accountId: key.accountId, userName: key.userName, deadline: key.deadline, step: key.step, channel, recipientRole: role, categoryId: row.categoryId, cohort: row.cohort, recipient: null, status: 'failed', error: to.reason, trigger: s.trigger, actor: s.actor })
      .onConflictDoNothing();
    return 'skipped';
  }
  const id = await claim(db, { ...key, row, recipient: recipientLabel(channel, to.email, config), trigger: s.trigger, actor: s.actor });
  if (id === null) return 'alreadySent';
  const outcome = await deliver(db, channel, { facts: factsFor(row, config, s.now), role, escalation: s.escalation ?? null, exceptionEnd: s.exceptionEnd === true, expiresAt: row.expiresAt }, to.email, config);
  await finish(db, id, outcome);
  return outcome.ok ? 'sent' : 'failed';
}
