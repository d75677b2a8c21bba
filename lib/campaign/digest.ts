/**
 * The security team's weekly digest, sent exactly once per ISO week and channel, however many schedulers, instances or
 * retries call it: the reminders' outbox pattern (lib/program/reminders/outbox.ts) on campaign_digest_sends. A worker
 * claims (slot, channel) by INSERT … ON CONFLICT DO NOTHING RETURNING and only the winner sends; a failed send is
 * retried by a later call after RETRY_AFTER_MS, at most MAX_ATTEMPTS; a claim left `sending` past STALE_SENDING_MS
 * becomes `unknown` and is never resent. A send-now from the campaign page has its own `manual-…` slot.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { campaignDigestSends } from '@/lib/db/schema';
import { getEnv } from '@/lib/env';
import { sendEmail } from '@/lib/aws/ses';
import { recordAudit } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { MAX_ATTEMPTS, RETRY_AFTER_MS, STALE_SENDING_MS } from '@/lib/program/reminders/outbox';
import { postWebhook, webhookHost, type Delivery } from '@/lib/program/reminders/webhook';
import { buildDigestMessage, digestWebhookPayload, gapKey, isoWeek, WEEK_SLOT, type DigestFacts, type DigestMessage } from './digest-model';
import { readDigestFacts } from './digest-facts';

export type DigestChannel = 'email' | 'webhook';
export type DigestConfig = { emailFrom: string | null; emailTo: string[]; webhookUrl: string | null; portalUrl: string };
/** For tests: another database, or channels other than the configured ones. */
export type DigestOptions = { db?: Db; config?: Partial<DigestConfig> };

export function digestConfig(overrides: Partial<DigestConfig> = {}): DigestConfig {
  const env = getEnv();
  return {
    emailFrom: env.MFA_REMINDER_EMAIL_FROM ?? null,
    emailTo: env.MFA_DIGEST_EMAIL,
    webhookUrl: env.MFA_DIGEST_WEBHOOK_URL ?? null,
    portalUrl: env.NEXTAUTH_URL,
    ...overrides,
  };
}

export const digestChannels = (c: DigestConfig): DigestChannel[] => [
  ...(c.emailFrom && c.emailTo.length > 0 ? (['email'] as const) : []),
  ...(c.webhookUrl ? (['webhook'] as const) : []),
];
const recipientOf = (channel: DigestChannel, c: DigestConfig) => (channel === 'email' ? c.emailTo.join(', ') : webhookHost(c.webhookUrl!));

async function deliver(channel: DigestChannel, m: DigestMessage, c: DigestConfig): Promise<Delivery> {
  try {
    if (channel === 'webhook') return await postWebhook(c.webhookUrl!, digestWebhookPayload(m));
    const out = await sendEmail({ from: c.emailFrom!, to: c.emailTo, subject: m.subject, text: m.text });
    return out.ok ? { ok: true, messageId: out.messageId } : { ok: false, error: `${out.name}: ${out.message || out.code}` };
  } catch (error) {
    // The row must leave `sending` whatever happened, or it would read as a crash (`unknown`).
    return { ok: false, error: `Unexpected error: ${(error as Error)?.message ?? String(error)}`.slice(0, 300) };
  }
}

type Claim = { slot: string; channel: DigestChannel; recipient: string; trigger: 'schedule' | 'manual'; actor: string; gaps: string[] };

/** The row's id when this worker, and no other, may send now; null otherwise. */
async function claim(db: Db, c: Claim): Promise<number | null> {
  const [inserted] = await db
    .insert(campaignDigestSends)
    .values({ ...c, status: 'sending', attempts: 1 })
    .onConflictDoNothing()
    .returning({ id: campaignDigestSends.id });
  if (inserted) return inserted.id;
  const s = campaignDigestSends;
  const [retried] = await db
    .update(s)
    .set({ status: 'sending', attempts: sql`${s.attempts} + 1`, claimedAt: sql`now()`, error: null, recipient: c.recipient, actor: c.actor, gaps: c.gaps })
    .where(
      and(
        eq(s.slot, c.slot),
        eq(s.channel, c.channel),
        eq(s.status, 'failed'),
        lt(s.attempts, MAX_ATTEMPTS),
        sql`${s.claimedAt} < now() - ${Math.round(RETRY_AFTER_MS / 1000)}::int * interval '1 second'`,
      ),
    )
    .returning({ id: s.id });
  return retried?.id ?? null;
}

async function finish(db: Db, id: number, outcome: Delivery): Promise<void> {
  const set = outcome.ok
    ? { status: 'sent' as const, sentAt: sql`now()`, messageId: outcome.messageId, error: null }
    : { status: 'failed' as const, error: outcome.error.slice(0, 500) };
  await db.update(campaignDigestSends).set(set).where(and(eq(campaignDigestSends.id, id), eq(campaignDigestSends.status, 'sending')));
}

async function expireStale(db: Db): Promise<void> {
  const s = campaignDigestSends;
  await db
    .update(s)
    .set({ status: 'unknown', error: 'The sender stopped before recording the outcome; not resent, as it may have gone out.' })
    .where(and(eq(s.status, 'sending'), sql`${s.claimedAt} < now() - ${Math.round(STALE_SENDING_MS / 1000)}::int * interval '1 second'`));
}

/** The last weekly digest before `week` that may have gone out, for "new gaps since last week". */
async function previousDigest(db: Db, week: string): Promise<DigestFacts['previous']> {
  const s = campaignDigestSends;
  const [row] = await db
    .select({ slot: s.slot, gaps: s.gaps })
    .from(s)
    .where(and(sql`${s.slot} ~ ${WEEK_SLOT.source}`, lt(s.slot, week), inArray(s.status, ['sent', 'unknown'])))
    .orderBy(desc(s.slot))
    .limit(1);
  return row ? { week: row.slot, gaps: row.gaps } : null;
}

/** This week's digest as it would go out now, without sending or recording anything. */
export async function composeDigest(db: Db, config: DigestConfig, now: Date): Promise<{ facts: DigestFacts; message: DigestMessage }> {
  const week = isoWeek(now);
  const facts = { ...(await readDigestFacts(db, now)), week, portalUrl: config.portalUrl, previous: await previousDigest(db, week) };
  return { facts, message: buildDigestMessage(facts) };
}

export type DigestOutcome = 'sent' | 'failed' | 'alreadySent';
export type DigestRunSummary = { slot: string; off: boolean; channels: { channel: DigestChannel; outcome: DigestOutcome; error: string | null }[] };

/** Sends the digest of `slot` on every configured channel, each at most once; the caller authorizes and audits. */
export async function sendDigest(input: { slot: string; trigger: 'schedule' | 'manual'; actor: string; now?: Date }, options: DigestOptions = {}): Promise<DigestRunSummary> {
  const db = options.db ?? (await getDb());
  const config = digestConfig(options.config);
  const channels = digestChannels(config);
  const summary: DigestRunSummary = { slot: input.slot, off: channels.length === 0, channels: [] };
  await expireStale(db);
  if (summary.off) return summary;
  const { facts, message } = await composeDigest(db, config, input.now ?? new Date());
  const gaps = facts.gaps.map(gapKey);
  for (const channel of channels) {
    const id = await claim(db, { slot: input.slot, channel, recipient: recipientOf(channel, config), trigger: input.trigger, actor: input.actor, gaps });
    if (id === null) {
      summary.channels.push({ channel, outcome: 'alreadySent', error: null });
      continue;
    }
    const outcome = await deliver(channel, message, config);
    await finish(db, id, outcome);
    summary.channels.push({ channel, outcome: outcome.ok ? 'sent' : 'failed', error: outcome.ok ? null : outcome.error });
  }
  return summary;
}

const outcomeOf = (s: DigestRunSummary) => (s.channels.some((c) => c.outcome === 'failed') ? 'failure' : 'success');

/** The scheduled run: this ISO week's digest, once; audited as campaign.digest.run. */
export async function runWeeklyDigest(input: { actor: string; now?: Date }, options: DigestOptions = {}): Promise<DigestRunSummary> {
  const db = options.db ?? (await getDb());
  const summary = await sendDigest({ slot: isoWeek(input.now ?? new Date()), trigger: 'schedule', actor: input.actor, now: input.now }, { ...options, db });
  await recordAudit(db, { actor: input.actor, action: 'campaign.digest.run', outcome: outcomeOf(summary), detail: { ...summary } });
  return summary;
}

/** The security team's send-now, in its own slot (never the week's, so the weekly one still goes); audited. */
export async function sendDigestNow(actor: Actor, options: DigestOptions & { now?: Date } = {}): Promise<DigestRunSummary> {
  assertRole(actor.roles, 'security', 'sending the campaign digest');
  const db = options.db ?? (await getDb());
  const now = options.now ?? new Date();
  const slot = `manual-${now.toISOString()}-${randomBytes(2).toString('hex')}`;
  const summary = await sendDigest({ slot, trigger: 'manual', actor: actor.id, now }, { ...options, db });
  await recordAudit(db, { actor: actor.id, action: 'campaign.digest.send-now', outcome: summary.off ? 'failure' : outcomeOf(summary), detail: { ...summary } });
  return summary;
}

export type DigestPreview = DigestMessage & { week: string };
export type DigestSetup = { channels: { channel: DigestChannel; recipient: string }[]; lastWeekly: { slot: string; channel: DigestChannel; status: string; at: Date }[] };

/** What this week's digest would say now. Sends and records nothing. */
export async function previewDigest(actor: Actor, options: DigestOptions & { now?: Date } = {}): Promise<DigestPreview> {
  assertRole(actor.roles, 'security', 'the campaign digest');
  const db = options.db ?? (await getDb());
  const { facts, message } = await composeDigest(db, digestConfig(options.config), options.now ?? new Date());
  return { ...message, week: facts.week };
}

/** Where the digest goes (the webhook by its host only) and the record of the last weekly sends. */
export async function getDigestSetup(actor: Actor, options: DigestOptions = {}): Promise<DigestSetup> {
  assertRole(actor.roles, 'security', 'the campaign digest');
  const db = options.db ?? (await getDb());
  const config = digestConfig(options.config);
  const s = campaignDigestSends;
  const lastWeekly = await db
    .select({ slot: s.slot, channel: s.channel, status: s.status, at: s.claimedAt })
    .from(s)
    .where(sql`${s.slot} ~ ${WEEK_SLOT.source}`)
    .orderBy(desc(s.slot), s.channel)
    .limit(4);
  return { channels: digestChannels(config).map((channel) => ({ channel, recipient: recipientOf(channel, config) })), lastWeekly };
}
