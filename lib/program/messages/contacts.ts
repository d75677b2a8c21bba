import 'server-only';
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { accountContacts, managedAccounts, ownerContacts, programSettings } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { saveProgramSettings } from '@/lib/program/settings';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { hasControlCharacter } from '@/lib/actions/free-text';
import { invalid, ok, type ActionResult } from '@/lib/actions/result';
import { accountIdField } from '@/lib/iam-identifiers';
import { DEFAULT_ESCALATE_STEPS, escalateStepsSchema } from './escalation';

/**
 * Where escalated reminders go besides the IAM user's person, and when: the owners' addresses (for Owner tags that
 * hold a name), each account's contact, and how many of the last steps escalate. The security team edits; every
 * change is audited with its before and after.
 */

export type ContactsSnapshot = { owners: Map<string, string>; accounts: Map<string, string>; escalateSteps: number };

/** The accounts' emails in AWS Organizations (stored by discovery): each account's contact unless the security team set one. */
export async function organizationsEmails(db: Db): Promise<Map<string, string>> {
  const rows = await db
    .select({ accountId: managedAccounts.accountId, email: managedAccounts.email })
    .from(managedAccounts)
    .where(and(eq(managedAccounts.source, 'organizations'), isNotNull(managedAccounts.email)));
  return new Map(rows.map((r) => [r.accountId, r.email!]));
}

/** What a run needs, read once. An account's contact: the one set here, else its email in Organizations. */
export async function readContacts(db: Db): Promise<ContactsSnapshot> {
  const [owners, accounts, organizations, steps] = await Promise.all([
    db.select().from(ownerContacts),
    db.select().from(accountContacts),
    organizationsEmails(db),
    getEscalateSteps(db),
  ]);
  return {
    owners: new Map(owners.map((o) => [o.owner, o.email])),
    accounts: new Map([...organizations, ...accounts.map((a): [string, string] => [a.accountId, a.email])]),
    escalateSteps: steps,
  };
}

export async function getEscalateSteps(db: Db): Promise<number> {
  const [row] = await db.select({ n: programSettings.escalateSteps }).from(programSettings).where(eq(programSettings.id, 1));
  return row?.n ?? DEFAULT_ESCALATE_STEPS;
}

export async function listOwnerContacts(db: Db, actor: Actor) {
  assertRole(actor.roles, 'admin', 'the owners’ addresses');
  return db.select().from(ownerContacts).orderBy(asc(ownerContacts.owner));
}

export async function listAccountContacts(db: Db, actor: Actor) {
  assertRole(actor.roles, 'admin', 'the account contacts');
  return db.select().from(accountContacts).orderBy(asc(accountContacts.accountId));
}

const emailOrEmpty = z
  .string()
  .trim()
  .max(254)
  .refine((v) => v === '' || z.email().safeParse(v).success, 'Enter an email address, or leave it empty to remove it.');

const ownerSchema = z.object({
  owner: z
    .string()
    .trim()
    .min(1, 'Enter the owner’s name as the tag holds it.')
    .max(256, 'An IAM tag value has at most 256 characters.')
    .refine((v) => !hasControlCharacter(v), 'Use printable text only.'),
  email: emailOrEmpty,
});

/** Security only: maps an Owner tag value to an address; an empty address removes the mapping. */
export async function setOwnerContact(db: Db, actor: Actor, input: { owner: string; email: string }): Promise<ActionResult<{ owner: string; email: string | null }>> {
  assertRole(actor.roles, 'security', 'the owners’ addresses');
  const parsed = ownerSchema.safeParse(input);
  if (!parsed.success) return invalid(z.flattenError(parsed.error).fieldErrors, 'Check the owner.');
  const owner = parsed.data.owner.toLowerCase();
  const email = parsed.data.email || null;
  await db.transaction(async (tx) => {
    const [before] = await tx.select({ email: ownerContacts.email }).from(ownerContacts).where(eq(ownerContacts.owner, owner));
    if (email) {
      await tx
        .insert(ownerContacts)
        .values({ owner, email, updatedBy: actor.id, updatedAt: new Date() })
        .onConflictDoUpdate({ target: ownerContacts.owner, set: { email, updatedBy: actor.id, updatedAt: new Date() } });
    } else await tx.delete(ownerContacts).where(eq(ownerContacts.owner, owner));
    await recordAudit(tx as unknown as Db, {
      actor: actor.id,
      action: 'messages.contact.update',
      target: `owner:${owner}`,
      outcome: 'success',
      detail: { before: before?.email ?? null, after: email },
    });
  });
  return ok({ owner, email }, email ? `Owner “${parsed.data.owner}” is reached at ${email}.` : `Owner “${parsed.data.owner}” removed.`);
}

const accountSchema = z.object({ accountId: accountIdField('Choose an account.'), email: emailOrEmpty });

/** Security only: an account's contact for escalated reminders; an empty address removes it. */
export async function setAccountContact(db: Db, actor: Actor, input: { accountId: string; email: string }): Promise<ActionResult<{ accountId: string; email: string | null }>> {
  assertRole(actor.roles, 'security', 'the account contacts');
  const parsed = accountSchema.safeParse(input);
  if (!parsed.success) return invalid(z.flattenError(parsed.error).fieldErrors, 'Check the account contact.');
  const { accountId } = parsed.data;
  const email = parsed.data.email || null;
  await db.transaction(async (tx) => {
    const [before] = await tx.select({ email: accountContacts.email }).from(accountContacts).where(eq(accountContacts.accountId, accountId));
    if (email) {
      await tx
        .insert(accountContacts)
        .values({ accountId, email, updatedBy: actor.id, updatedAt: new Date() })
        .onConflictDoUpdate({ target: accountContacts.accountId, set: { email, updatedBy: actor.id, updatedAt: new Date() } });
    } else await tx.delete(accountContacts).where(eq(accountContacts.accountId, accountId));
    await recordAudit(tx as unknown as Db, {
      actor: actor.id,
      action: 'messages.contact.update',
      target: `account:${accountId}`,
      outcome: 'success',
      detail: { before: before?.email ?? null, after: email },
    });
  });
  return ok({ accountId, email }, email ? `Account ${accountId}’s contact is ${email}.` : `Account ${accountId}’s contact removed.`);
}

/** Security only; audited like the reminder days. */
export async function setEscalateSteps(db: Db, actor: Actor, raw: string): Promise<ActionResult<{ escalateSteps: number }>> {
  assertRole(actor.roles, 'security', 'reminder settings');
  const parsed = escalateStepsSchema.safeParse(raw);
  if (!parsed.success) return invalid({ escalateSteps: parsed.error.issues.map((i) => i.message) }, 'Check the escalation setting.');
  const n = parsed.data;
  const before = await getEscalateSteps(db);
  await saveProgramSettings(db, actor, { escalateSteps: n }, { target: 'escalate-steps', before: { escalateSteps: before }, after: { escalateSteps: n } });
  return ok({ escalateSteps: n }, n === 0 ? 'Reminders no longer escalate.' : `The last ${n === 1 ? 'step' : `${n} steps`} also go to the owner and the account contact.`);
}
