import 'server-only';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { messageTemplates } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { hasControlCharacter } from '@/lib/actions/free-text';
import { invalid, ok, type ActionResult } from '@/lib/actions/result';
import { DEFAULT_TEMPLATES, type MessageTemplate } from './defaults';
import { EDITABLE_KINDS, MESSAGE_CHANNELS, type EditableKind, type MessageChannel } from './kinds';
import { PLACEHOLDERS_BY_KIND } from './placeholders';
import { templateProblems } from './render';

/**
 * The stored templates: one row per kind and channel the security team edited; without a row, the default. Saving
 * validates (placeholders of that kind only, no stray braces, sizes) and audits the before and after.
 */

export const SUBJECT_MAX = 200;
export const BODY_MAX = 5000;

export type TemplateView = MessageTemplate & { kind: EditableKind; channel: MessageChannel; custom: boolean; updatedBy: string | null; updatedAt: Date | null };

/** The template a sender uses: the stored one, or the default. */
export async function templateFor(db: Db, kind: EditableKind, channel: MessageChannel): Promise<MessageTemplate> {
  const [row] = await db
    .select({ subject: messageTemplates.subject, body: messageTemplates.body })
    .from(messageTemplates)
    .where(and(eq(messageTemplates.kind, kind), eq(messageTemplates.channel, channel)));
  return row ?? DEFAULT_TEMPLATES[kind][channel];
}

/** Every editable template, stored or default (admins read them; the security team edits). */
export async function listTemplates(db: Db, actor: Actor): Promise<TemplateView[]> {
  assertRole(actor.roles, 'admin', 'the message templates');
  const rows = await db.select().from(messageTemplates);
  return EDITABLE_KINDS.flatMap((kind) =>
    MESSAGE_CHANNELS.map((channel) => {
      const row = rows.find((r) => r.kind === kind && r.channel === channel);
      return row
        ? { kind, channel, subject: row.subject, body: row.body, custom: true, updatedBy: row.updatedBy, updatedAt: row.updatedAt }
        : { kind, channel, ...DEFAULT_TEMPLATES[kind][channel], custom: false, updatedBy: null, updatedAt: null };
    }),
  );
}

const refSchema = z.object({ kind: z.enum(EDITABLE_KINDS), channel: z.enum(MESSAGE_CHANNELS) });

/** Field errors for a template, for the person editing it; null when it can be saved. */
export function templateFieldErrors(kind: EditableKind, t: MessageTemplate): Record<string, string[]> | null {
  const allowed = PLACEHOLDERS_BY_KIND[kind];
  const subject = [...templateProblems(t.subject, allowed)];
  if (t.subject.trim() === '') subject.push('Enter a subject.');
  if (t.subject.length > SUBJECT_MAX) subject.push(`Keep the subject to ${SUBJECT_MAX} characters.`);
  if (hasControlCharacter(t.subject)) subject.push('The subject is one line of printable text.');
  const body = [...templateProblems(t.body, allowed)];
  if (t.body.trim() === '') body.push('Enter the message.');
  if (t.body.length > BODY_MAX) body.push(`Keep the message to ${BODY_MAX} characters.`);
  if (hasControlCharacter(t.body, { multiline: true })) body.push('Use printable text only (no tabs or invisible characters).');
  const errors = { ...(subject.length ? { subject } : {}), ...(body.length ? { body } : {}) };
  return Object.keys(errors).length ? errors : null;
}

/** Security only. */
export async function saveTemplate(db: Db, actor: Actor, input: { kind: string; channel: string; subject: string; body: string }): Promise<ActionResult<TemplateView>> {
  assertRole(actor.roles, 'security', 'message templates');
  const ref = refSchema.safeParse(input);
  if (!ref.success) return invalid({ kind: ['Choose a template.'] }, 'Choose a template.');
  const { kind, channel } = ref.data;
  const t = { subject: input.subject.trim(), body: input.body.replace(/\r\n?/g, '\n').trimEnd() };
  const errors = templateFieldErrors(kind, t);
  if (errors) return invalid(errors, 'Check the template.');
  const before = await templateFor(db, kind, channel);
  const now = new Date();
  await db.transaction(async (tx) => {
    await tx
      .insert(messageTemplates)
      .values({ kind, channel, ...t, updatedBy: actor.id, updatedAt: now })
      .onConflictDoUpdate({ target: [messageTemplates.kind, messageTemplates.channel], set: { ...t, updatedBy: actor.id, updatedAt: now } });
    await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'messages.template.update', target: `${kind}/${channel}`, outcome: 'success', detail: { before, after: t } });
  });
  return ok({ kind, channel, ...t, custom: true, updatedBy: actor.id, updatedAt: now }, 'Template saved: the next messages use it.');
}

/** Security only: back to the default wording (the stored row goes). */
export async function resetTemplate(db: Db, actor: Actor, input: { kind: string; channel: string }): Promise<ActionResult<TemplateView>> {
  assertRole(actor.roles, 'security', 'message templates');
  const ref = refSchema.safeParse(input);
  if (!ref.success) return invalid({ kind: ['Choose a template.'] }, 'Choose a template.');
  const { kind, channel } = ref.data;
  const before = await templateFor(db, kind, channel);
  await db.transaction(async (tx) => {
    await tx.delete(messageTemplates).where(and(eq(messageTemplates.kind, kind), eq(messageTemplates.channel, channel)));
    await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'messages.template.reset', target: `${kind}/${channel}`, outcome: 'success', detail: { before } });
  });
  return ok({ kind, channel, ...DEFAULT_TEMPLATES[kind][channel], custom: false, updatedBy: null, updatedAt: null }, 'Template reset to the default wording.');
}
