/**
 * The program's rule for one IAM user, in TypeScript. The `program_users` view (last defined in migration 0021) is the same rule
 * in SQL, for counting and filtering thousands of users; program.integration.test.ts checks they agree.
 * Pure: no I/O, `now` passed in.
 */
import type { Decision, DeviceType, SelectorKind } from '@/lib/db/schema';
import { ALL_DEVICE_TYPES, deviceTypeNoun, isCertified, type Certifications } from '@/lib/device-types';

export { ALL_DEVICE_TYPES };

export type Selector = { kind: SelectorKind; key: string | null; value: string };

export type ProgramCategory = {
  id: number;
  name: string;
  position: number;
  selectorKind: SelectorKind;
  selectorKey: string | null;
  selectorValue: string;
  defaultDecision: Decision;
  allowedDeviceTypes: DeviceType[];
  minDevices: number;
  /** Only certified security keys count (the category allows only FIDO). */
  requireCertifiedKey: boolean;
  deadline: Date;
  cohort: string;
  reason: string | null;
  approver: string | null;
  expiresAt: Date | null;
};

export type UserDecision = {
  categoryId: number | null;
  decision: Decision | null;
  reason: string | null;
  approver: string | null;
  expiresAt: Date | null;
  decidedBy?: string;
  decidedAt?: Date;
};

export type ProgramFacts = {
  accountId: string;
  path: string;
  tags: Record<string, string>;
  groups: string[];
  consoleAccess: boolean;
  devices: readonly { type: DeviceType; certifications?: Certifications | null }[];
};

/** The user's active window (lib/windows): its end is the user's effective deadline. */
export type ActiveWindow = { id?: number; kind: 'extension' | 'new-user' | 'grace'; endsAt: Date };

export type ProgramGap = 'no-mfa' | 'disallowed-type' | 'not-certified' | 'needs-backup';

export type ProgramStatus = {
  category: ProgramCategory | null;
  categorySource: 'selector' | 'override' | 'none';
  cohort: string | null;
  /** The effective deadline: the active window's end when there is one, else the category's (one rule, 0021). */
  deadline: Date | null;
  /** The category's own deadline. */
  categoryDeadline: Date | null;
  window: ActiveWindow | null;
  allowedDeviceTypes: DeviceType[];
  minDevices: number;
  requireCertifiedKey: boolean;
  decision: Decision;
  decisionSource: 'user' | 'category' | 'default';
  decisionReason: string | null;
  approver: string | null;
  expiresAt: Date | null;
  exceptionExpired: boolean;
  allowedDevices: number;
  compliant: boolean;
  inScope: boolean;
  programGap: ProgramGap | null;
};

export function selectorMatches(c: Pick<ProgramCategory, 'selectorKind' | 'selectorKey' | 'selectorValue'>, u: Pick<ProgramFacts, 'accountId' | 'path' | 'tags' | 'groups'>): boolean {
  switch (c.selectorKind) {
    case 'group':
      return u.groups.includes(c.selectorValue);
    case 'tag':
      return c.selectorKey !== null && Object.hasOwn(u.tags, c.selectorKey) && u.tags[c.selectorKey] === c.selectorValue;
    case 'path':
      return u.path.startsWith(c.selectorValue);
    case 'account':
      return u.accountId === c.selectorValue;
  }
}

export const byPosition = (a: Pick<ProgramCategory, 'position' | 'id'>, b: Pick<ProgramCategory, 'position' | 'id'>) => a.position - b.position || a.id - b.id;

/** First match wins, in the security team's order. */
export function matchCategory<C extends ProgramCategory>(u: Pick<ProgramFacts, 'accountId' | 'path' | 'tags' | 'groups'>, categories: readonly C[]): C | null {
  return [...categories].sort(byPosition).find((c) => selectorMatches(c, u)) ?? null;
}

export function resolveProgram(u: ProgramFacts, categories: readonly ProgramCategory[], decision: UserDecision | null, now: Date, window: ActiveWindow | null = null): ProgramStatus {
  const override = decision?.categoryId != null ? (categories.find((c) => c.id === decision.categoryId) ?? null) : null;
  const matched = override ? null : matchCategory(u, categories);
  const category = override ?? matched;
  const fromUser = decision?.decision != null;
  const d: Decision = fromUser ? decision!.decision! : category ? category.defaultDecision : 'required';
  const source = fromUser ? decision! : category;
  const expiresAt = source?.expiresAt ?? null;
  const exceptionExpired = d === 'exception' && expiresAt !== null && expiresAt.getTime() <= now.getTime();
  const allowedDeviceTypes = category ? [...category.allowedDeviceTypes] : [...ALL_DEVICE_TYPES];
  const minDevices = category?.minDevices ?? 1;
  const requireCertifiedKey = category?.requireCertifiedKey ?? false;
  const ofAllowedType = u.devices.filter((x) => allowedDeviceTypes.includes(x.type));
  const allowedDevices = requireCertifiedKey ? ofAllowedType.filter(isCertified).length : ofAllowedType.length;
  const compliant = allowedDevices >= minDevices;
  const inScope = u.consoleAccess && (d === 'required' || exceptionExpired);
  const programGap: ProgramGap | null =
    !inScope || compliant
      ? null
      : u.devices.length === 0
        ? 'no-mfa'
        : ofAllowedType.length === 0
          ? 'disallowed-type'
          : allowedDevices === 0
            ? 'not-certified'
            : 'needs-backup';
  return {
    category,
    categorySource: override ? 'override' : matched ? 'selector' : 'none',
    cohort: category?.cohort ?? null,
    deadline: window?.endsAt ?? category?.deadline ?? null,
    categoryDeadline: category?.deadline ?? null,
    window,
    allowedDeviceTypes,
    minDevices,
    requireCertifiedKey,
    decision: d,
    decisionSource: fromUser ? 'user' : category ? 'category' : 'default',
    decisionReason: source?.reason ?? null,
    approver: source?.approver ?? null,
    expiresAt,
    exceptionExpired,
    allowedDevices,
    compliant,
    inScope,
    programGap,
  };
}

export const decisionLabel: Record<Decision, string> = {
  required: 'MFA required',
  exception: 'Approved exception',
  'out-of-scope': 'Out of scope',
};

export const programGapText: Record<ProgramGap, string> = {
  'no-mfa': 'No MFA device',
  'disallowed-type': 'Only device types this category does not allow',
  'not-certified': 'No certified security key (FIDO or FIPS 140-2/140-3)',
  'needs-backup': 'A backup device is required',
};

/** "authenticator app, or security key or passkey" */
export function allowedTypesText(types: readonly DeviceType[]): string {
  const labels = ALL_DEVICE_TYPES.filter((t) => types.includes(t)).map((t) => deviceTypeNoun[t]);
  if (labels.length <= 1) return labels[0] ?? 'none';
  // "… token, or security key or passkey": the comma keeps the last type's own "or" from reading as a third choice.
  return `${labels.slice(0, -1).join(', ')}${labels.at(-1)!.includes(' or ') ? ',' : ''} or ${labels.at(-1)}`;
}

/** "tag Environment = prod", "path /admins/*", "group Admins", "account 111111111111" */
export const selectorText = (c: Pick<ProgramCategory, 'selectorKind' | 'selectorKey' | 'selectorValue'>) =>
  c.selectorKind === 'tag' ? `tag ${c.selectorKey} = ${c.selectorValue}` : c.selectorKind === 'path' ? `path ${c.selectorValue}*` : `${c.selectorKind} ${c.selectorValue}`;
