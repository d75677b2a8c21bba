/**
 * A reminder's facts into a message: the placeholder values, the email (subject, text, HTML) and the
 * Slack-compatible webhook JSON, from a template (the stored one, or the default). Pure; never a secret.
 */
import { allowedTypesText, programGapText } from '../resolve';
import { DAY_MS, formatDeadline, relativeDeadline, type ReminderFacts } from '../reminder-plan';
import { DEFAULT_TEMPLATES, type MessageTemplate } from './defaults';
import type { EditableKind } from './kinds';
import type { MessageValues } from './placeholders';
import { renderHtml, renderText } from './render';

export type RecipientRole = 'user' | 'owner' | 'account';

export const recipientRoleText: Record<RecipientRole, string> = {
  user: 'the person the IAM user belongs to',
  owner: 'the owner of this IAM user',
  account: 'the contact for this AWS account',
};

/** What an escalated message can say besides the reminder's facts. */
export type EscalationFacts = { ownerName?: string | null; accountContact?: string | null; recipientRole?: RecipientRole };

export type ReminderMessage = { subject: string; text: string; html: string; missing: string; when: string };

function missingText(f: Pick<ReminderFacts, 'gap' | 'minDevices'>): string {
  if (f.gap === 'needs-backup') return `${programGapText['needs-backup']}: ${f.minDevices} MFA devices of an allowed type in total`;
  return f.gap ? programGapText[f.gap] : 'MFA that meets the program';
}

/** Every placeholder's value for one reminder. */
export function messageValues(f: ReminderFacts, e: EscalationFacts = {}): MessageValues {
  const left = f.deadline.getTime() - f.now.getTime();
  return {
    userName: f.userName,
    accountName: f.accountLabel,
    accountId: f.accountId,
    account: f.accountLabel === f.accountId ? f.accountId : `${f.accountLabel} (${f.accountId})`,
    categoryName: f.categoryName ?? '—',
    deadline: formatDeadline(f.deadline),
    when: `${formatDeadline(f.deadline)} (${relativeDeadline(f.deadline, f.now)})`,
    relativeDeadline: relativeDeadline(f.deadline, f.now),
    daysLeft: String(left > 0 ? Math.ceil(left / DAY_MS) : 0),
    missing: missingText(f),
    allowedDevices: allowedTypesText(f.allowedDeviceTypes),
    enrollUrl: f.link,
    portalUrl: new URL(f.link).origin,
    userEmail: f.ownerEmail ?? 'no email tag',
    emailTagNote: f.ownerEmail ? `owner: ${f.ownerEmail}` : 'no email tag',
    ownerName: e.ownerName ?? 'no owner',
    accountContact: e.accountContact ?? 'no contact',
    recipientRole: recipientRoleText[e.recipientRole ?? 'user'],
  };
}

/** The kind of message for a recipient: escalation for owners and account contacts, overdue once the deadline has passed. */
export function kindFor(f: Pick<ReminderFacts, 'deadline' | 'now'>, role: RecipientRole, escalated = false): EditableKind {
  if (role !== 'user' || escalated) return 'escalation';
  return f.deadline.getTime() <= f.now.getTime() ? 'overdue' : 'reminder';
}

export function renderEmail(t: MessageTemplate, values: MessageValues): ReminderMessage {
  return {
    subject: renderText(t.subject, values).replace(/\s+/g, ' ').trim(),
    text: renderText(t.body, values),
    html: renderHtml(t.body, values),
    missing: values.missing,
    when: values.when,
  };
}

/** The email of one kind with its default template: what the portal sent before templates were editable. */
export function buildReminderMessage(f: ReminderFacts, kind: EditableKind = kindFor(f, 'user'), e: EscalationFacts = {}): ReminderMessage {
  return renderEmail(DEFAULT_TEMPLATES[kind].email, messageValues(f, e));
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text?: { type: 'mrkdwn'; text: string }; fields?: { type: 'mrkdwn'; text: string }[] }
  | { type: 'actions'; elements: { type: 'button'; text: { type: 'plain_text'; text: string }; url: string }[] };

export type WebhookPayload = { text: string; blocks: SlackBlock[] };

/** Slack's mrkdwn treats &, < and > as markup. */
const mrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack-compatible JSON (incoming webhooks, and the many chat tools that accept the same shape): the template's text, and the facts as blocks. */
export function renderWebhook(t: MessageTemplate, v: MessageValues): WebhookPayload {
  const header = renderText(t.subject, v).replace(/\s+/g, ' ').trim() || `IAM user ${v.userName}`;
  return {
    text: renderText(t.body, v),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: header.slice(0, 150) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*IAM user*\n${mrkdwn(v.userName)}` },
          { type: 'mrkdwn', text: `*AWS account*\n${mrkdwn(v.account)}` },
          { type: 'mrkdwn', text: `*Owner*\n${mrkdwn(v.userEmail)}` },
          { type: 'mrkdwn', text: `*Category*\n${mrkdwn(v.categoryName)}` },
          { type: 'mrkdwn', text: `*Deadline*\n${mrkdwn(v.when)}` },
          { type: 'mrkdwn', text: `*Missing*\n${mrkdwn(v.missing)}` },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: `*Allowed devices:* ${mrkdwn(v.allowedDevices)}` } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Set up MFA' }, url: v.enrollUrl }] },
    ],
  };
}

/** The webhook message of one kind with its default template. */
export function webhookPayload(f: ReminderFacts, kind: EditableKind = kindFor(f, 'user'), e: EscalationFacts = {}): WebhookPayload {
  return renderWebhook(DEFAULT_TEMPLATES[kind].webhook, messageValues(f, e));
}
