import 'server-only';
import { listManagedAccounts } from '@/lib/accounts/registry';
import { z } from 'zod';
import { getEnv, type ManagedAccount } from '@/lib/env';
import type { Db } from '@/lib/db/client';
import type { ProgramUserRow } from '@/lib/db/schema';
import { webhookHost } from './webhook';

export type ReminderChannel = 'email' | 'webhook';
export type ReminderTrigger = 'schedule' | 'manual';

export type ReminderConfig = {
  /** The SES sender; null: no email. */
  emailFrom: string | null;
  /** Where Slack-compatible JSON is POSTed; null: no webhook. A secret (it often embeds a token): never shown or recorded. */
  webhookUrl: string | null;
  portalUrl: string;
  emailTagKey: string;
  /** The tag naming the IAM user's owner, for escalated steps. */
  ownerTagKey: string;
  accounts: ManagedAccount[];
};

/** For tests and the benchmark: another database, or channels other than the configured ones. */
export type ReminderOptions = { db?: Db; config?: Partial<ReminderConfig> };

export async function reminderConfig(overrides: Partial<ReminderConfig> = {}): Promise<ReminderConfig> {
  const env = getEnv();
  return {
    emailFrom: env.MFA_REMINDER_EMAIL_FROM ?? null,
    webhookUrl: env.MFA_REMINDER_WEBHOOK_URL ?? null,
    portalUrl: env.NEXTAUTH_URL,
    emailTagKey: env.MFA_EMAIL_TAG_KEY,
    ownerTagKey: env.MFA_OWNER_TAG_KEY,
    ...overrides,
    accounts: overrides.accounts ?? (await listManagedAccounts()),
  };
}

export const channelsOf = (c: Pick<ReminderConfig, 'emailFrom' | 'webhookUrl'>): ReminderChannel[] => [
  ...(c.emailFrom ? (['email'] as const) : []),
  ...(c.webhookUrl ? (['webhook'] as const) : []),
];

/** Where a channel's reminder goes, as the record shows it: the address, or only the webhook's host. */
export const recipientLabel = (channel: ReminderChannel, email: string | null, config: Pick<ReminderConfig, 'webhookUrl'>) =>
  channel === 'email' ? email : webhookHost(config.webhookUrl!);

export const accountLabelOf = (config: Pick<ReminderConfig, 'accounts'>, accountId: string) => config.accounts.find((a) => a.id === accountId)?.label ?? accountId;

const emailAddress = z.email();

/** The person to email: the IAM user's email tag, if it holds an address. */
export function recipientOf(row: Pick<ProgramUserRow, 'tags'>, tagKey: string): { email: string } | { email: null; reason: string } {
  const value = Object.hasOwn(row.tags, tagKey) ? row.tags[tagKey]?.trim() : undefined;
  if (!value) return { email: null, reason: `No email tag (${tagKey}) on the IAM user: not emailed.` };
  if (!emailAddress.safeParse(value).success) return { email: null, reason: `The email tag (${tagKey}) is not an address: not emailed.` };
  return { email: value };
}
