import 'server-only';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { exceptionRequests, type ExceptionRequestRow } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import type { Actor } from '@/lib/auth/types';
import { sendEmail } from '@/lib/aws/ses';
import { formatDate } from '@/lib/format';
import { channelsOf, reminderConfig, type ReminderConfig } from './reminders/config';
import { postWebhook, type Delivery } from './reminders/webhook';

/** Who approved an exception and when, from its request record (the register, the report, exports). */
export type Approval = { approvedBy: string; approvedAt: Date };

export const approvalKey = (t: { accountId?: string | null; userName?: string | null; categoryId?: number | null }) =>
  t.categoryId != null ? `category:${t.categoryId}` : `${t.accountId}/${t.userName}`;

/**
 * The latest approved request per target (a user, or `category:<id>`). An exception set before requests existed has
 * none: its approver is the stored text, without a date.
 */
export async function approvalsByTarget(db: Db, categoryIds?: readonly number[]): Promise<Map<string, Approval>> {
  const r = exceptionRequests;
  const rows = await db
    .select({ accountId: r.accountId, userName: r.userName, categoryId: r.categoryId, decidedBy: r.decidedBy, decidedAt: r.decidedAt })
    .from(r)
    .where(and(eq(r.status, 'approved'), categoryIds ? inArray(r.categoryId, [...categoryIds]) : undefined))
    .orderBy(desc(r.decidedAt));
  const out = new Map<string, Approval>();
  for (const row of rows) if (!out.has(approvalKey(row))) out.set(approvalKey(row), { approvedBy: row.decidedBy!, approvedAt: row.decidedAt! });
  return out;
}

/** The approval behind a user's exception: their own decision's, or their category's default's. */
export const approvalOf = (approvals: Map<string, Approval>, row: { accountId: string; userName: string; decisionSource: string; categoryId: number | null }) =>
  approvals.get(row.decisionSource === 'user' ? approvalKey({ accountId: row.accountId, userName: row.userName }) : approvalKey({ categoryId: row.categoryId }));

const emailAddress = z.email();

/** The message the requester gets: what was decided, by whom, and the note. */
export function decisionMessage(row: Pick<ExceptionRequestRow, 'accountId' | 'userName' | 'categoryId' | 'status' | 'decidedBy' | 'decisionNote' | 'expiresAt'>, categoryName: string | null, portalUrl: string) {
  const what = row.categoryId != null ? `the category ${categoryName ?? `#${row.categoryId}`}` : `IAM user ${row.userName} (account ${row.accountId})`;
  const verdict = row.status === 'approved' ? `approved until ${formatDate(row.expiresAt)}` : 'rejected';
  const subject = `Your MFA exception request for ${what} was ${verdict}`;
  const lines = [`${subject} by ${row.decidedBy}.`, ...(row.decisionNote ? [`Note: ${row.decisionNote}`] : []), '', `The MFA portal: ${portalUrl}`];
  return { subject, text: lines.join('\n') };
}

/**
 * Tells the requester (email to their identity when it is an address, and the webhook) through the reminder
 * channels; audited with each channel's outcome. Never throws: the decision stands whatever the delivery does.
 * Returns a sentence for the decider.
 */
export async function notifyRequester(db: Db, actor: Actor, row: ExceptionRequestRow, overrides: Partial<ReminderConfig> = {}): Promise<string> {
  try {
    const config = await reminderConfig(overrides);
    const channels = channelsOf(config);
    if (channels.length === 0) return 'No reminder channel is configured, so the requester was not notified.';
    const message = decisionMessage(row, null, config.portalUrl);
    const outcomes: Record<string, string> = {};
    const record = (channel: string, d: Delivery) => (outcomes[channel] = d.ok ? 'sent' : d.error);
    if (channels.includes('email')) {
      if (!emailAddress.safeParse(row.requestedBy).success) outcomes.email = 'The requester’s identity is not an email address: not emailed.';
      else {
        const out = await sendEmail({ from: config.emailFrom!, to: row.requestedBy, subject: message.subject, text: message.text });
        record('email', out.ok ? { ok: true, messageId: out.messageId } : { ok: false, error: `${out.name}: ${out.message || out.code}` });
      }
    }
    if (channels.includes('webhook')) record('webhook', await postWebhook(config.webhookUrl!, { text: `${message.subject} (requested by ${row.requestedBy}).`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: message.text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!) } }] }));
    const failed = Object.values(outcomes).some((o) => o !== 'sent');
    await recordAudit(db, { actor: actor.id, action: 'program.exception.notify', target: approvalKey(row), outcome: failed ? 'failure' : 'success', detail: { requestId: row.id, recipient: row.requestedBy, ...outcomes } });
    return failed ? `Notifying the requester did not fully work (${Object.entries(outcomes).map(([k, v]) => `${k}: ${v}`).join('; ')}).` : `${row.requestedBy} was notified.`;
  } catch (error) {
    return `The requester could not be notified (${(error as Error)?.message ?? 'error'}).`;
  }
}
