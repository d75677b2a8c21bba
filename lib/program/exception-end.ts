/**
 * The reminder before an exception ends: owners of the IAM user hear of it EXCEPTION_END_DAYS before, once per
 * exception end (the outbox's key: user, end date, step EXCEPTION_END_STEP, channel). Pure, so it is unit-tested.
 */
import { formatDate } from '@/lib/format';
import { DAY_MS, type WebhookPayload } from './reminder-plan';

export const EXCEPTION_END_DAYS = 14;
export const EXCEPTION_END_STEP = `exception-${EXCEPTION_END_DAYS}d`;

/** Due from EXCEPTION_END_DAYS before the end until the end (a run missed on the day still reminds, once). */
export const exceptionEndDue = (expiresAt: Date, now: Date) => expiresAt.getTime() > now.getTime() && expiresAt.getTime() - now.getTime() <= EXCEPTION_END_DAYS * DAY_MS;

export type ExceptionEndFacts = { accountId: string; accountLabel: string; userName: string; categoryName: string | null; expiresAt: Date; link: string; ownerEmail: string | null };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const mrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function exceptionEndMessage(f: ExceptionEndFacts): { subject: string; text: string; html: string; webhook: WebhookPayload } {
  const when = formatDate(f.expiresAt);
  const account = f.accountLabel === f.accountId ? f.accountId : `${f.accountLabel} (${f.accountId})`;
  const subject = `The MFA exception for ${f.userName} ends on ${when}`;
  const lead = `The exception that lets your IAM user ${f.userName} (${account}) go without multi-factor authentication (MFA) ends on ${when} (UTC). After it, MFA is required again: set it up before then, or ask for a new exception in the MFA portal.`;
  const text = [lead, '', `The MFA portal: ${f.link}`, '', 'You receive this because the IAM user is tagged with your email address.'].join('\n');
  const html = [`<p>${escapeHtml(lead)}</p>`, `<p><a href="${escapeHtml(f.link)}">Open the MFA portal</a></p>`, '<p style="color:#555">You receive this because the IAM user is tagged with your email address.</p>'].join('\n');
  const owner = f.ownerEmail ? ` (owner: ${f.ownerEmail})` : ' (no email tag)';
  return {
    subject,
    text,
    html,
    webhook: {
      text: `${subject}${owner}. ${f.link}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: subject.slice(0, 150) } },
        { type: 'section', fields: [{ type: 'mrkdwn', text: `*IAM user*\n${mrkdwn(f.userName)}` }, { type: 'mrkdwn', text: `*AWS account*\n${mrkdwn(account)}` }, { type: 'mrkdwn', text: `*Owner*\n${mrkdwn(f.ownerEmail ?? 'no email tag')}` }, { type: 'mrkdwn', text: `*Ends*\n${mrkdwn(when)}` }] },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the MFA portal' }, url: f.link }] },
      ],
    },
  };
}
