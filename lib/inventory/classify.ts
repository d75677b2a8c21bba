/** Classification of one IAM user from the collected facts. Pure: the same input always gives the same row. */
import type { MfaDevice } from '@/lib/aws/mfa-devices';

export type MfaState = 'enabled' | 'leftover-only' | 'none';
export type InventoryFlag = 'several-devices' | 'service-with-console' | 'stale-console' | 'never-signed-in';

const DAY_MS = 24 * 60 * 60_000;
/** Console access unused for this long is stale. */
export const STALE_CONSOLE_DAYS = 90;
/** An access key used within this window, with a password never used, looks like automation. */
export const RECENT_KEY_USE_DAYS = 90;
/** Name parts (split on - _ . @ and digits) that read as automation. */
export const SERVICE_NAME_TOKENS = new Set([
  'svc', 'service', 'srv', 'ci', 'cd', 'cicd', 'deploy', 'deployer', 'deployment', 'bot', 'robot', 'automation',
  'jenkins', 'terraform', 'tf', 'ansible', 'pipeline', 'agent', 'runner', 'cron', 'batch', 'integration', 'sync',
]);
/**
 * Substrings that read as automation even inside a longer word (e.g. `jenkinsuser`). Not `bot`: human
 * surnames end with it (Talbot); `bot` as a name part is in the tokens.
 */
export const SERVICE_NAME_FRAGMENTS = ['jenkins', 'terraform', 'automation', 'deploy'];
/** Tag keys whose value says what kind of principal the user is, and the values that mean automation. */
export const SERVICE_TAG_KEYS = ['kind', 'type', 'usertype', 'user-type', 'principaltype', 'principal-type', 'role', 'purpose', 'account-type'];
export const SERVICE_TAG_VALUES = /^(service|service-account|serviceaccount|svc|automation|machine|bot|ci|cicd|ci\/cd|system|application|app)$/i;
/** Tags that mark a service account by their presence with a true-ish value. */
export const SERVICE_FLAG_TAGS = ['service-account', 'serviceaccount', 'automation', 'mfa-service'];

export type UserFacts = {
  accountId: string;
  userName: string;
  arn: string;
  path: string;
  createdAt: Date | null;
  tags: Record<string, string>;
  groups: string[];
  consoleAccess: boolean;
  /**
   * null: the password was never used (no_information / N/A); undefined: unknown (e.g. a live check
   * without a credential report), which raises no usage-based flag.
   */
  passwordLastUsed: Date | null | undefined;
  accessKeyLastUsed: Date | null;
  devices: MfaDevice[];
  /** Unassigned virtual devices attributed to this user (a cancelled set-up). */
  leftoverDevices: string[];
};

export type ClassifiedUser = Omit<UserFacts, 'passwordLastUsed'> & {
  passwordLastUsed: Date | null;
  mfaState: MfaState;
  flags: InventoryFlag[];
};

export function mfaStateOf(devices: readonly unknown[], leftovers: readonly unknown[]): MfaState {
  if (devices.length > 0) return 'enabled';
  return leftovers.length > 0 ? 'leftover-only' : 'none';
}

export function looksLikeServiceName(userName: string): boolean {
  const name = userName.toLowerCase();
  if (name.split(/[-_.@+=,\d]+/).some((t) => SERVICE_NAME_TOKENS.has(t))) return true;
  return SERVICE_NAME_FRAGMENTS.some((f) => name.includes(f));
}

export function hasServiceTag(tags: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(tags)) {
    const k = key.toLowerCase();
    if (SERVICE_TAG_KEYS.includes(k) && SERVICE_TAG_VALUES.test(value.trim())) return true;
    if (SERVICE_FLAG_TAGS.includes(k) && /^(true|yes|1)$/i.test(value.trim())) return true;
  }
  return false;
}

const olderThan = (d: Date, days: number, now: Date) => now.getTime() - d.getTime() > days * DAY_MS;

export function classify(facts: UserFacts, now: Date = new Date()): ClassifiedUser {
  const flags: InventoryFlag[] = [];
  const { consoleAccess, passwordLastUsed, accessKeyLastUsed } = facts;
  if (facts.devices.length > 1) flags.push('several-devices');
  if (consoleAccess) {
    const keyRecentlyUsed = accessKeyLastUsed !== null && !olderThan(accessKeyLastUsed, RECENT_KEY_USE_DAYS, now);
    const automationUsage = passwordLastUsed === null && keyRecentlyUsed;
    if (looksLikeServiceName(facts.userName) || hasServiceTag(facts.tags) || automationUsage) flags.push('service-with-console');
    if (passwordLastUsed === null || (passwordLastUsed && olderThan(passwordLastUsed, STALE_CONSOLE_DAYS, now))) flags.push('stale-console');
    if (passwordLastUsed === null) flags.push('never-signed-in');
  }
  return {
    ...facts,
    passwordLastUsed: passwordLastUsed ?? null,
    mfaState: mfaStateOf(facts.devices, facts.leftoverDevices),
    flags,
  };
}

/** Until the enrollment program exists every console user is in scope. */
export const inScope = (u: Pick<ClassifiedUser, 'consoleAccess'>) => u.consoleAccess;
