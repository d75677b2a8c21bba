import 'server-only';
import { randomBytes } from 'node:crypto';
import { and, desc, eq, gt, ilike, isNotNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { getEnv, isAllowedWebhookUrl, type ManagedAccount } from '@/lib/env';
import { getDb, type Db } from '@/lib/db/client';
import { programUsers, reminderSends, type ProgramUserRow, type ReminderSendRow } from '@/lib/db/schema';
import { sendEmail } from '@/lib/aws/ses';
import { recordAudit } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { decisionLabel } from './resolve';
import { getReminderDays } from './settings';
import {
  DAY_MS,
  buildReminderMessage,
  dueStep,
  enrollLink,
  stepLabel,
  webhookPayload,
  type ReminderFacts,
  type ReminderFilters,
  type SendStatus,
  type WebhookPayload,
} from './reminder-plan';

/**
 * Reminders before each program deadline, by email (Amazon SES) and/or a Slack-compatible webhook.
 *
 * Exactly once per IAM user, deadline, step and channel, however many instances or retries run:
 * - A worker claims a send by INSERTing its reminder_sends row with status `sending`
 *   (ON CONFLICT DO NOTHING RETURNING). The unique index (user, deadline, step, channel) lets one insert win; only
 *   the winner sends. It then records `sent` (message id, time) or `failed` (the error).
 * - A `failed` row is retried by a later run while its step is still due: one conditional UPDATE failed -> sending
 *   with attempts + 1, at most MAX_ATTEMPTS in all; again only the worker whose UPDATE matched sends.
 * - A row still `sending` after STALE_SENDING_MS belongs to a worker that stopped mid-send (crash, deploy). It
 *   becomes `unknown` and is never resent: the message may have gone out, and a duplicate is worse than a gap.
 *   The record shows it, so an admin can check and send one now.
 * Claims and outcomes are separate statements (never one transaction), so that a claim is visible to every
 * other worker before the send starts. Staleness is judged on the database's clock, not each instance's.
 *
 * Which step is due is reminder-plan.ts's dueStep; sending starts and stops with the deadline: nothing is sent
 * before its first step or after the deadline, and a missed step is not caught up.
 */

export const MAX_ATTEMPTS = 3;
export const STALE_SENDING_MS = 15 * 60_000;
export const WEBHOOK_TIMEOUT_MS = 5000;
/** Sends at once: enough to overlap SES's latency, few enough for its per-second sending quota. */
const SEND_CONCURRENCY = 4;

export type ReminderChannel = 'email' | 'webhook';
export type ReminderTrigger = 'schedule' | 'manual';

export type ReminderConfig = {
  /** The SES sender; null: no email. */
  emailFrom: string | null;
  /** Where Slack-compatible JSON is POSTed; null: no webhook. A secret (it often embeds a token): never shown or recorded. */
  webhookUrl: string | null;
  portalUrl: string;
  emailTagKey: string;
  accounts: ManagedAccount[];
};

/** For tests and the benchmark: another database, or channels other than the configured ones. */
export type ReminderOptions = { db?: Db; config?: Partial<ReminderConfig> };

export function reminderConfig(overrides: Partial<ReminderConfig> = {}): ReminderConfig {
  const env = getEnv();
  return {
    emailFrom: env.MFA_REMINDER_EMAIL_FROM ?? null,
    webhookUrl: env.MFA_REMINDER_WEBHOOK_URL ?? null,
    portalUrl: env.NEXTAUTH_URL,
    emailTagKey: env.MFA_EMAIL_TAG_KEY,
    accounts: env.MFA_ACCOUNTS,
    ...overrides,
  };
}

export const channelsOf = (c: Pick<ReminderConfig, 'emailFrom' | 'webhookUrl'>): ReminderChannel[] => [
  ...(c.emailFrom ? (['email'] as const) : []),
  ...(c.webhookUrl ? (['webhook'] as const) : []),
];

/** Only the host of the webhook is ever shown or recorded: the rest of its URL is usually a credential. */
export const webhookHost = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'webhook';
  }
};

const emailAddress = z.email();

/** The person to email: the IAM user's email tag, if it holds an address. */
export function recipientOf(row: Pick<ProgramUserRow, 'tags'>, tagKey: string): { email: string } | { email: null; reason: string } {
  const value = Object.hasOwn(row.tags, tagKey) ? row.tags[tagKey]?.trim() : undefined;
  if (!value) return { email: null, reason: `No email tag (${tagKey}) on the IAM user: not emailed.` };
  if (!emailAddress.safeParse(value).success) return { email: null, reason: `The email tag (${tagKey}) is not an address: not emailed.` };
  return { email: value };
}

function factsFor(row: ProgramUserRow, config: ReminderConfig, now: Date): ReminderFacts {
  const recipient = recipientOf(row, config.emailTagKey);
  return {
    accountId: row.accountId,
    accountLabel: config.accounts.find((a) => a.id === row.accountId)?.label ?? row.accountId,
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

type Outcome = { ok: true; messageId: string | null } | { ok: false; error: string };

/** POSTs the payload; 2xx is success, anything else (status, timeout, refused connection) a failure with the reason. */
export async function postWebhook(url: string, payload: WebhookPayload, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<Outcome> {
  if (!isAllowedWebhookUrl(url)) return { ok: false, error: 'The webhook URL must be https (http only on loopback).' };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
      // A redirect could carry people's details somewhere the configuration did not name.
      redirect: 'manual',
      cache: 'no-store',
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, messageId: null };
    return { ok: false, error: `The webhook answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.` };
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ok: false, error: `The webhook did not answer within ${timeoutMs / 1000} s.` };
    return { ok: false, error: `The webhook could not be reached (${e.cause?.code ?? e.name ?? 'error'}).` };
  }
}

async function deliver(channel: ReminderChannel, facts: ReminderFacts, recipient: string | null, config: ReminderConfig): Promise<Outcome> {
  const message = buildReminderMessage(facts);
  try {
    if (channel === 'webhook') return await postWebhook(config.webhookUrl!, webhookPayload(facts, message));
    const out = await sendEmail({ from: config.emailFrom!, to: recipient!, subject: message.subject, text: message.text, html: message.html });
    return out.ok ? { ok: true, messageId: out.messageId } : { ok: false, error: `${out.name}: ${out.message || out.code}` };
  } catch (error) {
    // Whatever happened, the row must leave `sending`, or it would read as a crash (`unknown`) in 15 minutes.
    return { ok: false, error: `Unexpected error: ${(error as Error)?.message ?? String(error)}`.slice(0, 300) };
  }
}

type SendKey = { accountId: string; userName: string; deadline: Date; step: string; channel: ReminderChannel };

const keyWhere = (k: SendKey): SQL =>
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
    .where(and(keyWhere(c), eq(reminderSends.status, 'failed'), lt(reminderSends.attempts, MAX_ATTEMPTS)))
    .returning({ id: reminderSends.id });
  return retried?.id ?? null;
}

async function finish(db: Db, id: number, outcome: Outcome): Promise<void> {
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

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Sends every reminder due at `now`, each exactly once across all instances (see the module comment), and
 * audits the run. The caller authorizes (the cron route, or an admin's action).
 */
export async function runReminders(
  input: { actor: string; trigger: ReminderTrigger; now?: Date },
  options: ReminderOptions = {},
): Promise<ReminderRunSummary> {
  const db = options.db ?? (await getDb());
  const config = reminderConfig(options.config);
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
    const work = candidates.flatMap((row) => {
      const step = dueStep(row.deadline!, days, now);
      return step ? channels.map((channel) => ({ row, step: step.key, channel })) : [];
    });
    summary.due = work.length;
    await mapLimit(work, SEND_CONCURRENCY, async ({ row, step, channel }) => {
      const outcome = await sendOne(db, config, { row, step, channel, now, trigger: input.trigger, actor: input.actor });
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

type SendOutcome = 'sent' | 'failed' | 'skipped' | 'alreadySent';

async function sendOne(
  db: Db,
  config: ReminderConfig,
  s: { row: ProgramUserRow; step: string; channel: ReminderChannel; now: Date; trigger: ReminderTrigger; actor: string },
): Promise<SendOutcome> {
  const { row, channel } = s;
  const key: SendKey = { accountId: row.accountId, userName: row.userName, deadline: row.deadline!, step: s.step, channel };
  const to = recipientOf(row, config.emailTagKey);
  if (channel === 'email' && to.email === null) {
    // Recorded once, so the record says why this person got no email; retried only once the tag is there.
    await db
      .insert(reminderSends)
      .values({ ...key, categoryId: row.categoryId, cohort: row.cohort, recipient: null, status: 'failed', error: to.reason, trigger: s.trigger, actor: s.actor })
      .onConflictDoNothing();
    return 'skipped';
  }
  const recipient = channel === 'email' ? to.email : webhookHost(config.webhookUrl!);
  const id = await claim(db, { ...key, row, recipient, trigger: s.trigger, actor: s.actor });
  if (id === null) return 'alreadySent';
  const outcome = await deliver(channel, factsFor(row, config, s.now), to.email, config);
  await finish(db, id, outcome);
  return outcome.ok ? 'sent' : 'failed';
}

const refSchema = z.object({
  accountId: z.string().regex(/^\d{12}$/, 'Enter a 12-digit account id.'),
  userName: z.string().trim().regex(/^[\w+=,.@-]{1,64}$/, 'Enter an IAM user name (letters, digits and +=,.@_-).'),
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
  const config = reminderConfig(options.config);
  const now = new Date();
  const target = `arn:aws:iam::${accountId}:user/${userName}`;
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
    const recipient = channel === 'email' ? to.email : webhookHost(config.webhookUrl!);
    const [recorded] = await db.select({ error: reminderSends.error }).from(reminderSends).where(keyWhere({ accountId, userName, deadline: row.deadline, step, channel }));
    results.push({ channel, recipient, status: outcome === 'alreadySent' ? 'failed' : outcome, error: recorded?.error ?? null });
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

export type ReminderRecord = Pick<
  ReminderSendRow,
  'id' | 'accountId' | 'userName' | 'deadline' | 'step' | 'channel' | 'recipient' | 'attempts' | 'claimedAt' | 'sentAt' | 'error' | 'trigger' | 'actor'
> & { status: SendStatus; accountLabel: string; stepLabel: string };

/** The record of reminders, newest first (admin). Stale `sending` rows are shown as what they are: `unknown`. */
export async function listReminderSends(actor: Actor, f: ReminderFilters, options: ReminderOptions = {}): Promise<{ rows: ReminderRecord[]; total: number }> {
  assertRole(actor.roles, 'admin', 'the reminder record');
  const db = options.db ?? (await getDb());
  const config = reminderConfig(options.config);
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
      accountLabel: config.accounts.find((a) => a.id === r.accountId)?.label ?? r.accountId,
      userName: r.userName,
      deadline: r.deadline,
      step: r.step,
      stepLabel: stepLabel(r.step),
      channel: r.channel,
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
  const config = reminderConfig(options.config);
  return {
    off: channelsOf(config).length === 0,
    emailFrom: config.emailFrom,
    webhookHost: config.webhookUrl ? webhookHost(config.webhookUrl) : null,
    days: await getReminderDays(db),
    intervalMinutes: getEnv().MFA_REMINDER_INTERVAL_MINUTES,
    accounts: config.accounts,
  };
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
    scheduledRun = runReminders({ actor: 'scheduler', trigger: 'schedule' })
      .catch((error) => console.error(`[mfa-portal] scheduled reminders failed: ${(error as Error).message}`))
      .finally(() => {
        scheduledRun = undefined;
      });
  }, minutes * 60_000);
  scheduler.unref?.();
}
