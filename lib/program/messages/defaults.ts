/**
 * The default templates: the wording the portal used before templates were editable, and what "Reset to default"
 * restores. Pure.
 */
import type { EditableKind, MessageChannel } from './kinds';

export type MessageTemplate = { subject: string; body: string };

const FACTS = [
  'IAM user: {{userName}}',
  'AWS account: {{account}}',
  'Category: {{categoryName}}',
  'Deadline: {{when}}',
  'Missing: {{missing}}',
  'Allowed devices: {{allowedDevices}}',
].join('\n');

const email = (lead: string, why: string): string => [lead, '', FACTS, '', 'Set it up in the MFA portal: {{enrollUrl}}', '', why].join('\n');

const TAGGED =
  'You receive this because the IAM user is tagged with your email address. Questions: reply to your cloud administrators, not to this message.';

export const DEFAULT_TEMPLATES: Record<EditableKind, Record<MessageChannel, MessageTemplate>> = {
  reminder: {
    email: {
      subject: 'Set up MFA for IAM user {{userName}} in {{accountName}} {{relativeDeadline}}',
      body: email(
        'Your IAM user {{userName}} needs multi-factor authentication (MFA) before its deadline. After the deadline, its AWS access may be limited to setting up MFA.',
        TAGGED,
      ),
    },
    webhook: {
      subject: 'Set up MFA for IAM user {{userName}} in {{accountName}} {{relativeDeadline}}',
      body: 'Set up MFA for IAM user {{userName}} in {{accountName}} {{relativeDeadline}} ({{emailTagNote}}). Deadline: {{when}}. Missing: {{missing}}. {{enrollUrl}}',
    },
  },
  overdue: {
    email: {
      subject: 'MFA is overdue for IAM user {{userName}} in {{accountName}}',
      body: email(
        'The deadline for multi-factor authentication (MFA) on your IAM user {{userName}} has passed. Until MFA is set up, its AWS access may be limited to setting up MFA.',
        TAGGED,
      ),
    },
    webhook: {
      subject: 'MFA is overdue for IAM user {{userName}} in {{accountName}}',
      body: 'MFA is overdue for IAM user {{userName}} in {{accountName}} ({{emailTagNote}}). Deadline: {{when}}. Missing: {{missing}}. {{enrollUrl}}',
    },
  },
  escalation: {
    email: {
      subject: 'IAM user {{userName}} in {{accountName}} still has no compliant MFA: deadline {{relativeDeadline}}',
      body: email(
        'The IAM user {{userName}} still lacks the multi-factor authentication (MFA) it needs before its deadline, and its person has been reminded. After the deadline, its AWS access may be limited to setting up MFA. Please make sure it is set up, or ask the security team for an exception.',
        'You receive this as {{recipientRole}}. The person it belongs to ({{userEmail}}) gets the same reminder. Questions: reply to your cloud administrators, not to this message.',
      ),
    },
    webhook: {
      subject: 'Escalated: IAM user {{userName}} in {{accountName}} still has no compliant MFA',
      body: 'Escalated: IAM user {{userName}} in {{accountName}} still has no compliant MFA, deadline {{relativeDeadline}} (email tag: {{userEmail}}; owner: {{ownerName}}; account contact: {{accountContact}}). Deadline: {{when}}. Missing: {{missing}}. {{enrollUrl}}',
    },
  },
};
