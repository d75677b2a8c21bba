'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { getDb } from '@/lib/db/client';
import { EDITABLE_KINDS, MESSAGE_CHANNELS } from '@/lib/program/messages/kinds';
import { resetTemplate, saveTemplate } from '@/lib/program/messages/store';
import { sendTestMessage } from '@/lib/program/messages/test-send';
import { setAccountContact, setEscalateSteps, setOwnerContact } from '@/lib/program/messages/contacts';

const PAGE = '/admin/reminders';
const ref = { kind: z.enum(EDITABLE_KINDS, { error: 'Choose a template.' }), channel: z.enum(MESSAGE_CHANNELS, { error: 'Choose a template.' }) };
// The domain validates the text (placeholders, sizes) and says what is wrong; here only its shape.
const template = z.object({ ...ref, subject: z.string().max(10_000), body: z.string().max(50_000) });

export const saveTemplateAction = defineAction({ name: 'messages.template.update', role: 'security', schema: template, revalidate: PAGE }, async (actor, input) =>
  saveTemplate(await getDb(), actor, input),
);

export const resetTemplateAction = defineAction({ name: 'messages.template.reset', role: 'security', schema: z.object(ref), revalidate: PAGE }, async (actor, input) =>
  resetTemplate(await getDb(), actor, input),
);

export const sendTestMessageAction = defineAction({ name: 'messages.template.test-send', role: 'security', schema: template }, async (actor, input) =>
  sendTestMessage(actor, input),
);

export const setOwnerContactAction = defineAction(
  { name: 'messages.contact.update', role: 'security', schema: z.object({ owner: z.string().max(1000), email: z.string().max(1000) }), revalidate: PAGE },
  async (actor, input) => setOwnerContact(await getDb(), actor, input),
);

export const setAccountContactAction = defineAction(
  { name: 'messages.contact.update', role: 'security', schema: z.object({ accountId: z.string().max(20), email: z.string().max(1000) }), revalidate: PAGE },
  async (actor, input) => setAccountContact(await getDb(), actor, input),
);

export const setEscalateStepsAction = defineAction(
  { name: 'program.settings.update', role: 'security', schema: z.object({ escalateSteps: z.string().max(10) }), revalidate: PAGE },
  async (actor, input) => setEscalateSteps(await getDb(), actor, input.escalateSteps),
);
