/** Classification of one IAM user from the collected facts. Pure: the same input always gives the same row. */
import type { MfaDevice } from '@/lib/aws/mfa-devices';
import { formatDate, plural } from '@/lib/format';

export type MfaState = 'enabled' | 'leftover-only' | 'none';

/**
 * - several-devices: more than one MFA device.
 * - service-with-console: marked as a service user by the organisation (a setting) and has a console password.
 * - possible-service-user: not marked, but looks like automation (name, tag, key use): a hint for a human, never
 *   a verdict; the advice stays the one for a person.
 * - stale-console: console password unused for the stale window, by a user older than that window.
 * - never-signed-in: the password was never used (with stale-console when the user is older than the window).
 * - not-signed-in-yet: a user created within the window who has not signed in yet: informational.
 */
export const INVENTORY_FLAGS = ['several-devices', 'service-with-console', 'possible-service-user', 'stale-console', 'never-signed-in', 'not-signed-in-yet'] as const;
export type InventoryFlag = (typeof INVENTORY_FLAGS)[number];

export const flagLabel: Record<InventoryFlag, string> = {
  'several-devices': 'Several MFA devices',
  'service-with-console': 'Service user with a console password',
  'possible-service-user': 'Possibly a service user',
  'stale-console': 'Stale console access',
  'never-signed-in': 'Never signed in',
  'not-signed-in-yet': 'Not signed in yet',
};

/** Why a flag was raised: the rule, the facts with their dates, and the setting involved. Stored with the row. */
export type FlagEvidence = {
  flag: InventoryFlag;
  /** The rule in words, e.g. "console password unused for 90 days or more, by a user older than that". */
  rule: string;
  /** The facts that met it, e.g. "password last used 1 Feb 2026 (120 days before 1 Jun 2026)". */
  facts: string;
  /** The setting that matched or set the threshold, e.g. "MFA_SERVICE_USER_TAGS=kind=service". */
  setting?: string;
  /** When it was judged (ISO 8601). */
  checkedAt: string;
};

/** What the organisation marks as a service user; any one marker is enough. */
export type ServiceUserMarkers = {
  /** Tag key (case-insensitive) with a value (case-insensitive), or any value when `value` is null. */
  tags: { key: string; value: string | null }[];
  /** IAM path prefixes, e.g. /service/. */
  paths: string[];
  /** IAM group names. */
  groups: string[];
};

export type FlagRules = {
  /** A console password unused this many days, by a user at least this old, is stale. */
  staleDays: number;
  serviceMarkers: ServiceUserMarkers;
};

export const DEFAULT_STALE_CONSOLE_DAYS = 90;
export const DEFAULT_FLAG_RULES: FlagRules = { staleDays: DEFAULT_STALE_CONSOLE_DAYS, serviceMarkers: { tags: [], paths: [], groups: [] } };

const DAY_MS = 24 * 60 * 60_000;
/** An access key used within this window, with a password never used, makes a candidate. */
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
  flagEvidence: FlagEvidence[];
};

export function mfaStateOf(devices: readonly unknown[], leftovers: readonly unknown[]): MfaState {
  if (devices.length > 0) return 'enabled';
  return leftovers.length > 0 ? 'leftover-only' : 'none';
}

/** The name part or fragment that reads as automation, or null. */
export function serviceNameHint(userName: string): string | null {
  const name = userName.toLowerCase();
  const token = name.split(/[-_.@+=,\d]+/).find((t) => SERVICE_NAME_TOKENS.has(t));
  return token ?? SERVICE_NAME_FRAGMENTS.find((f) => name.includes(f)) ?? null;
}

export const looksLikeServiceName = (userName: string) => serviceNameHint(userName) !== null;

/** The tag (`key=value`) that reads as automation, or null. */
export function serviceTagHint(tags: Record<string, string>): string | null {
  for (const [key, value] of Object.entries(tags)) {
    const k = key.toLowerCase();
    if (SERVICE_TAG_KEYS.includes(k) && SERVICE_TAG_VALUES.test(value.trim())) return `${key}=${value}`;
    if (SERVICE_FLAG_TAGS.includes(k) && /^(true|yes|1)$/i.test(value.trim())) return `${key}=${value}`;
  }
  return null;
}

export const hasServiceTag = (tags: Record<string, string>) => serviceTagHint(tags) !== null;

/** Which of the organisation's markers this user carries, as the setting that names it; null when none. */
export function serviceMarker(facts: Pick<UserFacts, 'tags' | 'path' | 'groups'>, markers: ServiceUserMarkers): { matched: string; setting: string } | null {
  for (const m of markers.tags) {
    const entry = Object.entries(facts.tags).find(([k, v]) => k.toLowerCase() === m.key.toLowerCase() && (m.value === null || v.trim().toLowerCase() === m.value.toLowerCase()));
    if (entry) return { matched: `tag ${entry[0]}=${entry[1]}`, setting: `MFA_SERVICE_USER_TAGS=${m.value === null ? m.key : `${m.key}=${m.value}`}` };
  }
  const path = markers.paths.find((p) => facts.path.startsWith(p));
  if (path) return { matched: `path ${facts.path}`, setting: `MFA_SERVICE_USER_PATHS=${path}` };
  const group = markers.groups.find((g) => facts.groups.includes(g));
  if (group) return { matched: `member of the IAM group ${group}`, setting: `MFA_SERVICE_USER_GROUPS=${group}` };
  return null;
}

/** Whole days from `from` to `to`. */
export const daysBetween = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / DAY_MS);

export function classify(facts: UserFacts, now: Date = new Date(), rules: FlagRules = DEFAULT_FLAG_RULES): ClassifiedUser {
  const flags: InventoryFlag[] = [];
  const evidence: FlagEvidence[] = [];
  const checkedAt = now.toISOString();
  const raise = (flag: InventoryFlag, e: Omit<FlagEvidence, 'flag' | 'checkedAt'>) => {
    flags.push(flag);
    evidence.push({ flag, ...e, checkedAt });
  };
  const { consoleAccess, passwordLastUsed, accessKeyLastUsed, createdAt } = facts;
  const N = rules.staleDays;
  const window = `${N} days`;

  if (facts.devices.length > 1) {
    raise('several-devices', { rule: 'more than one MFA device', facts: `${facts.devices.length} devices: ${facts.devices.map((d) => d.type).join(', ')}` });
  }
  if (consoleAccess) {
    const marker = serviceMarker(facts, rules.serviceMarkers);
    if (marker) {
      raise('service-with-console', {
        rule: 'marked as a service user by the organisation, and has a console password',
        facts: `${marker.matched}; console password enabled`,
        setting: marker.setting,
      });
    } else {
      const why: string[] = [];
      const name = serviceNameHint(facts.userName);
      if (name) why.push(`the name contains "${name}"`);
      const tag = serviceTagHint(facts.tags);
      if (tag) why.push(`tagged ${tag}`);
      if (passwordLastUsed === null && accessKeyLastUsed !== null && daysBetween(accessKeyLastUsed, now) < RECENT_KEY_USE_DAYS) {
        why.push(`an access key used on ${formatDate(accessKeyLastUsed)} while the console password was never used`);
      }
      if (why.length) {
        raise('possible-service-user', {
          rule: 'not marked as a service user, but looks like automation: a hint for a person to confirm, not a verdict',
          facts: why.join('; '),
          setting: 'MFA_SERVICE_USER_TAGS, MFA_SERVICE_USER_PATHS, MFA_SERVICE_USER_GROUPS (none matched)',
        });
      }
    }

    const age = createdAt ? daysBetween(createdAt, now) : null;
    const created = createdAt ? `created ${formatDate(createdAt)} (${plural(age!, 'day')} ago)` : 'creation date unknown';
    const setting = `MFA_STALE_CONSOLE_DAYS=${N}`;
    if (passwordLastUsed) {
      const unused = daysBetween(passwordLastUsed, now);
      if (unused >= N) {
        raise('stale-console', {
          rule: `console password unused for ${window} or more, by a user older than that`,
          facts: `password last used ${formatDate(passwordLastUsed)} (${plural(unused, 'day')} before ${formatDate(now)}); ${created}`,
          setting,
        });
      }
    } else if (passwordLastUsed === null) {
      if (age === null) {
        raise('never-signed-in', { rule: 'the console password was never used', facts: `never signed in; ${created}`, setting });
      } else if (age >= N) {
        raise('stale-console', {
          rule: `console password unused for ${window} or more, by a user older than that`,
          facts: `never signed in since its creation on ${formatDate(createdAt!)} (${plural(age, 'day')} ago)`,
          setting,
        });
        raise('never-signed-in', { rule: 'the console password was never used', facts: `never signed in since ${formatDate(createdAt!)}`, setting });
      } else {
        raise('not-signed-in-yet', {
          rule: `created within the last ${window} and not signed in yet: not stale`,
          facts: `${created}; no console sign-in yet; stale from ${formatDate(new Date(createdAt!.getTime() + N * DAY_MS))} if still unused`,
          setting,
        });
      }
    }
  }
  return {
    ...facts,
    passwordLastUsed: passwordLastUsed ?? null,
    mfaState: mfaStateOf(facts.devices, facts.leftoverDevices),
    flags,
    flagEvidence: evidence,
  };
}

/** Until the enrollment program exists every console user is in scope. */
export const inScope = (u: Pick<ClassifiedUser, 'consoleAccess'>) => u.consoleAccess;
