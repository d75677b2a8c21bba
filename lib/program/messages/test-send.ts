import 'server-only';
import { and, asc, eq, gt, gte, sql } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { auditLog, programUsers } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import { sendEmail } from '@/lib/aws/ses';
import { nextAllowedAt, waitPhrase } from '@/lib/enrollment/rate-limits';
import { DAY_MS, enrollLink, type ReminderFacts } from '../reminder-plan';
import { reminderConfig, type ReminderConfig, type ReminderOptions } from '../reminders/config';
import { factsFor } from '../reminders/outbox';
import { postWebhook, webhookHost } from '../reminders/webhook';
import { messageValues, renderEmail, renderWebhook } from './compose';
import { readContacts } from './contacts';
import { resolveAccountContact, resolveOwner } from './escalation';
import { EDITABLE_KINDS, MESSAGE_CHANNELS, type EditableKind, type MessageChannel } from './kinds';
import type { MessageValues } from './placeholders';
import { templateFieldErrors } from './store';

/** Test sends per person: enough to iterate on a wording, too few to use the portal as a mail cannon. */
export const TEST_SEND_LIMIT = { max: 5, windowMs: 10 * 60_000 };

export type PreviewSample = { label: string; values: MessageValues };

/**
 * What the editor previews and a test send renders: a real IAM user of the inventory that a reminder could go to
 * now (in scope, not compliant, its deadline ahead: the soonest), or a made-up one when there is none. Escalation values as the owner would see them.
 */
export async function previewSample(actor: Actor, options: ReminderOptions = {}): Promise<PreviewSample> {
  assertRole(actor.roles, 'admin', 'the message preview');
  const db = options.db ?? (await getDb());
  const config = await reminderConfig(options.config);
  const now = new Date();
  const [row] = await db
    .select()
    .from(programUsers)
    .where(and(eq(programUsers.inScope, true), eq(programUsers.compliant, false), gt(programUsers.deadline, now)))
    .orderBy(asc(programUsers.deadline), asc(programUsers.accountId), asc(programUsers.userName))
    .limit(1);
  const contacts = await readContacts(db);
  if (row) {
    const owner = resolveOwner(row.tags, config.ownerTagKey, contacts.owners);
    const values = messageValues(factsFor(row, config, now), { ownerName: owner.name, accountContact: resolveAccountContact(row.accountId, contacts.accounts).email, recipientRole: 'owner' });
    return { label: `IAM user ${row.userName} in ${values.account}`, values };
  }
  return { label: 'a made-up IAM user (no IAM user is waiting for a reminder now)', values: sampleValues(config, now) };
}

function sampleValues(config: ReminderConfig, now: Date): MessageValues {
  const account = config.accounts[0] ?? { id: '123456789012', label: 'Example account' };
  const facts: ReminderFacts = {
    accountId: account.id,
    accountLabel: account.label,
    userName: 'jane.doe',
    ownerEmail: 'jane.doe@example.com',
    categoryName: 'Everyone',
    deadline: new Date(now.getTime() + 7 * DAY_MS),
    gap: 'no-mfa',
    allowedDeviceTypes: ['virtual', 'hardware', 'fido'],
    minDevices: 1,
    link: enrollLink(config.portalUrl, account.id, 'jane.doe'),
    now,
  };
  return messageValues(facts, { ownerName: 'Platform team', accountContact: null, recipientRole: 'owner' });
}

type Input = { kind: string; channel: string; subject: string; body: string };

/** Takes a place under the limit (the intent row is the place), or says when the next test may go. */
async function takePlace(db: Db, actor: Actor, target: string, now: Date): Promise<{ intentId: number } | { next: Date }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`messages-test|${actor.id}`}))`);
    const since = new Date(now.getTime() - TEST_SEND_LIMIT.windowMs);
    const rows = await tx
      .select({ at: auditLog.at })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'messages.template.test-send'), eq(auditLog.actor, actor.id), eq(auditLog.outcome, 'intent'), gte(auditLog.at, since)));
    const times = rows.map((r) => new Date(Math.min(r.at.getTime(), now.getTime())));
    const next = nextAllowedAt(times, TEST_SEND_LIMIT, now);
    if (next) return { next };
    const intent = await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'messages.template.test-send', target, outcome: 'intent', detail: {} });
    return { intentId: intent.id };
  });
}

/**
 * Security only: the template as edited (saved or not) rendered with the preview's values and sent to the editing
 * person's own address, or to the configured webhook. Audited before and after; at most TEST_SEND_LIMIT per person.
 */
export async function sendTestMessage(actor: Actor, input: Input, options: ReminderOptions = {}): Promise<ActionResult<{ to: string }>> {
  assertRole(actor.roles, 'security', 'test messages');
  const kind = EDITABLE_KINDS.find((k) => k === input.kind) as EditableKind | undefined;
  const channel = MESSAGE_CHANNELS.find((c) => c === input.channel) as MessageChannel | undefined;
  if (!kind || !channel) return invalid({ kind: ['Choose a template.'] }, 'Choose a template.');
  const t = { subject: input.subject.trim(), body: input.body.replace(/\r\n?/g, '\n').trimEnd() };
  const errors = templateFieldErrors(kind, t);
  if (errors) return invalid(errors, 'Check the template before sending a test.');
  const db = options.db ?? (await getDb());
  const config = await reminderConfig(options.config);
  if (channel === 'email' && !config.emailFrom) return fail('ChannelOff', 'Email is not configured (MFA_REMINDER_EMAIL_FROM), so no test can be emailed.');
  if (channel === 'webhook' && !config.webhookUrl) return fail('ChannelOff', 'No webhook is configured (MFA_REMINDER_WEBHOOK_URL), so no test can be posted.');
  if (channel === 'email' && !actor.email) return fail('NoAddress', 'Your sign-in has no email address to send the test to.');
  const to = channel === 'email' ? actor.email! : webhookHost(config.webhookUrl!);
  const target = `${kind}/${channel}`;
  const now = new Date();
  const place = await takePlace(db, actor, target, now);
  if ('next' in place) return fail('RateLimited', `You have sent ${TEST_SEND_LIMIT.max} tests in the last ${TEST_SEND_LIMIT.windowMs / 60_000} minutes: try again ${waitPhrase(place.next.getTime() - now.getTime())}.`);

  const { values } = await previewSample(actor, { db, config });
  let delivery: { ok: true } | { ok: false; error: string };
  try {
    if (channel === 'webhook') {
      const payload = renderWebhook(t, values);
      delivery = await postWebhook(config.webhookUrl!, { ...payload, text: `[Test] ${payload.text}` });
    } else {
      const m = renderEmail(t, values);
      const out = await sendEmail({ from: config.emailFrom!, to, subject: `[Test] ${m.subject}`, text: m.text, html: m.html });
      delivery = out.ok ? { ok: true } : { ok: false, error: `${out.name}: ${out.message || out.code}` };
    }
  } catch (error) {
    delivery = { ok: false, error: `Unexpected error: ${(error as Error)?.message ?? String(error)}`.slice(0, 300) };
  }
  await recordAudit(db, {
    actor: actor.id,
    action: 'messages.template.test-send',
    target,
    outcome: delivery.ok ? 'success' : 'failure',
    intentId: place.intentId,
    detail: delivery.ok ? { to } : { to, error: delivery.error },
  });
  if (!delivery.ok) return fail('SendFailed', `The test did not go out: ${delivery.error}`);
  return ok({ to }, channel === 'email' ? `Test sent to ${to}.` : `Test posted to the webhook (${to}).`);
}
