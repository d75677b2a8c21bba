/**
 * Who gets a reminder at a step: always the IAM user's person; at the last N steps (the program's escalation
 * setting) also the user's owner and its account's contact, each address once. Pure.
 */
import { z } from 'zod';
import type { RecipientRole } from './compose';

export const DEFAULT_ESCALATE_STEPS = 1;

/** Whether the step of `stepDays` is among the last `escalateSteps` of `days` (the smallest numbers of days). */
export function isEscalatedStep(stepDays: number, days: readonly number[], escalateSteps: number): boolean {
  if (escalateSteps <= 0) return false;
  const last = [...new Set(days)].sort((a, b) => a - b).slice(0, escalateSteps);
  return last.includes(stepDays);
}

export type Resolved = { email: string } | { email: null; reason: string };
export type Recipient = { role: RecipientRole; to: Resolved };

/**
 * The recipients of one email step, in order user, owner, account contact. An address already reached by an
 * earlier role is not sent again (an owner who is also the account contact gets one message).
 */
export function emailRecipients(user: Resolved, escalation: { owner: Resolved; account: Resolved } | null): Recipient[] {
  const out: Recipient[] = [{ role: 'user', to: user }];
  if (!escalation) return out;
  const seen = new Set(user.email ? [user.email.toLowerCase()] : []);
  for (const [role, to] of [['owner', escalation.owner], ['account', escalation.account]] as const) {
    if (to.email && seen.has(to.email.toLowerCase())) continue;
    if (to.email) seen.add(to.email.toLowerCase());
    out.push({ role, to });
  }
  return out;
}

const address = z.email();

/**
 * The owner from the IAM user's Owner tag: an address as it is, or a name the security team mapped to an address.
 * `mapping` is keyed by the lower-cased name.
 */
export function resolveOwner(tags: Readonly<Record<string, string>>, tagKey: string, mapping: ReadonlyMap<string, string>): { name: string | null; to: Resolved } {
  const value = Object.hasOwn(tags, tagKey) ? tags[tagKey]?.trim() : undefined;
  if (!value) return { name: null, to: { email: null, reason: `No owner tag (${tagKey}) on the IAM user: no owner to escalate to.` } };
  if (address.safeParse(value).success) return { name: value, to: { email: value } };
  const mapped = mapping.get(value.toLowerCase());
  if (mapped) return { name: value, to: { email: mapped } };
  return { name: value, to: { email: null, reason: `The owner “${value}” (tag ${tagKey}) has no address: add it under Owners on the reminders page.` } };
}

export function resolveAccountContact(accountId: string, contacts: ReadonlyMap<string, string>): Resolved {
  const email = contacts.get(accountId);
  return email ? { email } : { email: null, reason: `Account ${accountId} has no contact address: add it under Account contacts on the reminders page.` };
}

export const escalateStepsSchema = z.coerce
  .number({ error: 'Enter a whole number from 0 to 6.' })
  .int('Enter a whole number from 0 to 6.')
  .min(0, 'Enter a whole number from 0 to 6.')
  .max(6, 'Enter a whole number from 0 to 6.');
