import 'server-only';
import { and, eq } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { inventoryUsers, type RecoveryRequestRow } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { sendEmail } from '@/lib/aws/ses';
import { formatDateTimeUtc } from '@/lib/format';
import { log } from '@/lib/log';
import { enrollLink, type WebhookPayload } from '@/lib/program/reminder-plan';
import { reminderConfig, recipientOf, type ReminderConfig } from '@/lib/program/reminders/config';
import { postWebhook, webhookHost, type Delivery } from '@/lib/program/reminders/webhook';

/**
 * Every step of a recovery is told on the reminder channels (lib/program/reminders): the member by email (the
 * reporter's sign-in email, else the IAM user's email tag), the administrators through the webhook. No contact
 * setting for administrators exists yet, so the webhook is their channel. A notice that fails is recorded in the
 * audit log and never undoes or blocks the step it reports.
 */

export type RecoveryEvent = 'reported' | 'cancelled' | 'approved' | 'rejected';

type Notice = { subject: string; text: string };

function noticeFor(event: RecoveryEvent, r: RecoveryRequestRow, config: Pick<ReminderConfig, 'portalUrl'>): { member: Notice; admins: Notice } {
  const who = `${r.userName} (${r.accountId})`;
  const device = `${r.deviceName} (${r.deviceType})`;
  const queue = `${config.portalUrl.replace(/\/+$/, '')}/admin/recovery/${r.id}`;
  switch (event) {
    case 'reported':
      return {
        member: {
          subject: `Your lost-device report for ${r.userName} was received`,
          text: `You reported ${device} of ${who} as ${r.what}. An administrator will verify who you are and then deactivate it and give you time to enroll a new device. If this was not you, tell your security team now.`,
        },
        admins: { subject: `Lost-device report: ${who}`, text: `${r.reportedBy} reported ${device} of ${who} as ${r.what}. Verify the person with the checklist and decide: ${queue}` },
      };
    case 'cancelled':
      return {
        member: { subject: `Lost-device report for ${r.userName} cancelled`, text: `The report about ${device} of ${who} was cancelled. Nothing was changed in AWS.` },
        admins: { subject: `Lost-device report cancelled: ${who}`, text: `The report about ${device} of ${who} was cancelled by the member.` },
      };
    case 'approved': {
      const until = r.graceEndsAt ? formatDateTimeUtc(r.graceEndsAt) : 'the end of the grace';
      return {
        member: {
          subject: `Enroll a new MFA device for ${r.userName} before ${until}`,
          text: `An administrator verified you and deactivated ${device} of ${who}. You can work without MFA until ${until}; enroll a new device now: ${enrollLink(config.portalUrl, r.accountId, r.userName)}`,
        },
        admins: { subject: `Lost device deactivated: ${who}`, text: `${r.decidedBy} approved the recovery of ${who}: ${device} deactivated, grace until ${until}.` },
      };
    }
    case 'rejected':
      return {
        member: { subject: `Lost-device report for ${r.userName} not approved`, text: `An administrator did not approve the report about ${device} of ${who}: ${r.rejectReason ?? ''}. Nothing was changed in AWS.` },
        admins: { subject: `Lost-device report rejected: ${who}`, text: `${r.decidedBy} rejected the report about ${device} of ${who}: ${r.rejectReason ?? ''}` },
      };
  }
}

const payload = (n: Notice): WebhookPayload => ({
  text: `${n.subject}. ${n.text}`,
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: n.subject.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: n.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') } },
  ],
});

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The member's address: who reported it if they signed in with an email, else the IAM user's email tag. */
async function memberEmail(db: Db, r: RecoveryRequestRow, tagKey: string): Promise<string | null> {
  if (EMAIL.test(r.reportedBy)) return r.reportedBy;
  const [row] = await db
    .select({ tags: inventoryUsers.tags })
    .from(inventoryUsers)
    .where(and(eq(inventoryUsers.accountId, r.accountId), eq(inventoryUsers.userName, r.userName)))
    .limit(1);
  if (!row) return null;
  const to = recipientOf(row, tagKey);
  return to.email;
}

async function record(db: Db, actor: string, r: RecoveryRequestRow, event: RecoveryEvent, channel: 'email' | 'webhook', recipient: string, outcome: Delivery) {
  await recordAudit(db, {
    actor,
    action: 'recovery.notify',
    target: `recovery/${r.id}`,
    outcome: outcome.ok ? 'success' : 'failure',
    detail: { event, channel, recipient, ...(outcome.ok ? {} : { error: outcome.error.slice(0, 300) }) },
  });
}

/** Sends the notices of one step on every configured channel; returns how many went out. Never throws. */
export async function notifyRecovery(db: Db, actor: string, event: RecoveryEvent, r: RecoveryRequestRow, overrides: Partial<ReminderConfig> = {}): Promise<number> {
  let sent = 0;
  try {
    const config = await reminderConfig(overrides);
    const notice = noticeFor(event, r, config);
    if (config.emailFrom) {
      const to = await memberEmail(db, r, config.emailTagKey);
      if (to) {
        const out = await sendEmail({ from: config.emailFrom, to, subject: notice.member.subject, text: notice.member.text });
        const delivery: Delivery = out.ok ? { ok: true, messageId: out.messageId } : { ok: false, error: `${out.name}: ${out.message || out.code}` };
        await record(db, actor, r, event, 'email', to, delivery);
        if (delivery.ok) sent++;
      }
    }
    if (config.webhookUrl) {
      const delivery = await postWebhook(config.webhookUrl, payload(notice.admins));
      await record(db, actor, r, event, 'webhook', webhookHost(config.webhookUrl), delivery);
      if (delivery.ok) sent++;
    }
  } catch (error) {
    // A notice is a courtesy around a step already done and audited: its failure is logged, the step stands.
    log.warn({ err: error, recoveryId: r.id, event }, 'recovery notice failed');
  }
  return sent;
}
