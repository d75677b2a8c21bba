/**
 * The kinds of message the portal sends and the channels it sends them on. Pure constants: the schema, the sender and
 * the reminders page's editor (a client component) all read them.
 */
export const MESSAGE_KINDS = ['reminder', 'overdue', 'escalation', 'exception-ending', 'recovery', 'digest'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export const MESSAGE_CHANNELS = ['email', 'webhook'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/** The kinds whose sender reads the stored templates today; the others are reserved for the senders still to come. */
export const EDITABLE_KINDS = ['reminder', 'overdue', 'escalation'] as const satisfies readonly MessageKind[];
export type EditableKind = (typeof EDITABLE_KINDS)[number];

export const kindLabel: Record<EditableKind, string> = {
  reminder: 'Reminder (before the deadline)',
  overdue: 'Reminder after the deadline (sent now by an admin)',
  escalation: 'Escalation (the last steps, to the owner and the account contact)',
};
export const channelLabel: Record<MessageChannel, string> = { email: 'Email', webhook: 'Webhook' };

export const isEditableKind = (v: string): v is EditableKind => (EDITABLE_KINDS as readonly string[]).includes(v);
export const isMessageChannel = (v: string): v is MessageChannel => (MESSAGE_CHANNELS as readonly string[]).includes(v);
