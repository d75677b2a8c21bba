/**
 * The placeholders a template may use, what each one means, and which kinds offer it. Pure: the editor shows the
 * list, the renderer refuses anything else.
 */
import type { EditableKind } from './kinds';

export const PLACEHOLDERS = {
  userName: 'The IAM user’s name',
  accountName: 'The AWS account’s label (its id when it has none)',
  accountId: 'The 12-digit AWS account id',
  account: 'Label and id, e.g. “Development (222222222222)”',
  categoryName: 'The program category (— when none)',
  deadline: 'The deadline, e.g. “Monday 2 March 2026 at 17:00 UTC”',
  when: 'The deadline and how far it is, e.g. “… UTC (in 5 days)”',
  relativeDeadline: 'How far the deadline is: “in 5 days”, “in less than a day”, “2 days ago”',
  daysLeft: 'Whole days left, rounded up (0 once passed)',
  missing: 'What the IAM user lacks, e.g. “No MFA device”',
  allowedDevices: 'The device types its category allows',
  enrollUrl: 'The portal’s enrollment page for this IAM user (a link in HTML email)',
  portalUrl: 'The portal’s address (a link in HTML email)',
  userEmail: 'The address in the IAM user’s email tag (“no email tag” when none)',
  emailTagNote: '“owner: <email tag>” or “no email tag”, as the default webhook text says it',
  ownerName: 'The IAM user’s Owner tag (“no owner” when none)',
  accountContact: 'The account’s contact address (“no contact” when none)',
  recipientRole: 'Why this person receives it, e.g. “the owner of this IAM user”',
} as const;

export type Placeholder = keyof typeof PLACEHOLDERS;
export type MessageValues = Record<Placeholder, string>;

/** Placeholders whose value is a URL: rendered as a link in HTML email. */
export const LINK_PLACEHOLDERS: ReadonlySet<string> = new Set<Placeholder>(['enrollUrl', 'portalUrl']);

const COMMON: Placeholder[] = [
  'userName',
  'accountName',
  'accountId',
  'account',
  'categoryName',
  'deadline',
  'when',
  'relativeDeadline',
  'daysLeft',
  'missing',
  'allowedDevices',
  'enrollUrl',
  'portalUrl',
  'userEmail',
  'emailTagNote',
  'ownerName',
  'accountContact',
];

export const PLACEHOLDERS_BY_KIND: Record<EditableKind, readonly Placeholder[]> = {
  reminder: COMMON,
  overdue: COMMON,
  escalation: [...COMMON, 'recipientRole'],
};
