import 'server-only';
import pLimit from 'p-limit';
import { isAwsError } from '@/lib/aws/errors';
import { getAccountAlias, getFidoCertifications, hasConsoleAccess, listMfaDevices } from '@/lib/aws/iam';
import { listVirtualDevices, readAccountUsers, readCredentialReport, type ReportPolling } from '@/lib/aws/inventory-sources';
import { toMfaDevice, type MfaDevice } from '@/lib/aws/mfa-devices';
import { VIRTUAL_MFA_SERIAL } from '@/lib/iam-identifiers';
import { resolveProgram, type ProgramCategory, type UserDecision } from '@/lib/program/resolve';
import { classify, type ClassifiedUser, type FlagRules } from './classify';
import { parseCredentialReport, rootStatus, type CredentialReportUser, type RootStatus } from './credential-report';

export type CollectOptions = {
  /**
   * ListMFADevices for every user the credential report shows with MFA, instead of only those without an
   * assigned virtual device: exact (sees a hardware or FIDO device next to a virtual one), more calls.
   */
  listAllDevices?: boolean;
  /** MaxItems for the paged bulk calls (default BULK_PAGE_SIZE). */
  pageSize?: number;
  /**
   * How many per-user calls of one account may be in flight at once (default 1: IAM throttles per account, so
   * throughput comes from collecting several accounts at once, MFA_INVENTORY_CONCURRENCY, not from one account).
   */
  userConcurrency?: number;
  reportPolling?: ReportPolling;
  /** Stale window and service-user markers (default: 90 days, no markers). */
  flagRules?: FlagRules;
  /**
   * The enrollment program (categories and this account's decisions, keyed by user name). The default mode uses it
   * to decide whose device list must be exact. Absent: no categories and no decisions (every user in scope, any
   * type, one device), which is what the rule gives an empty program.
   */
  program?: CollectProgram;
  /** The organisation has centralized root access (RootCredentialsManagement): see rootStatus. */
  rootCredentialsManagement?: boolean;
  now?: Date;
  onPhase?: (phase: CollectPhase) => void;
};

export type CollectPhase = 'credential-report' | 'users' | 'virtual-devices' | 'devices' | 'certifications';

export type AccountInventory = {
  accountId: string;
  alias: string | null;
  credentialReportAt: Date | null;
  rootMfaActive: boolean | null;
  /** From the report's root row and MFA_ROOT_CREDENTIALS_MANAGEMENT (rootStatus). */
  rootStatus: RootStatus;
  users: ClassifiedUser[];
  /** Unassigned virtual devices that no user can be attributed to (neither `mfa/<user>` nor the portal's path). */
  unattributedLeftovers: string[];
};

export type CollectProgram = {
  categories: readonly ProgramCategory[];
  /** Decisions of this account's users, by user name. */
  decisions: ReadonlyMap<string, UserDecision>;
};

/**
 * Whether a user's known virtual devices settle their verdict, gap and remediation, so that a hardware or FIDO
 * device the cheap path does not see could change nothing. True only when, with the virtual devices alone, the user
 * is either compliant (more devices only add to the allowed count; no rule penalises an extra device) or out of
 * scope for good (no console password, out of scope, or an exception without expiry). An exception that expires is
 * not settled: the view brings the user back into scope at that moment, with the stored devices.
 */
export function virtualDevicesSettle(
  user: { accountId: string; userName: string; path: string; tags: Record<string, string>; groups: string[]; consoleAccess: boolean },
  virtualDevices: number,
  program: CollectProgram,
  now: Date,
): boolean {
  if (!user.consoleAccess) return true;
  const status = resolveProgram(
    { ...user, devices: Array.from({ length: virtualDevices }, () => ({ type: 'virtual' as const })) },
    program.categories,
    program.decisions.get(user.userName) ?? null,
    now,
  );
  if (status.decision === 'out-of-scope') return true;
  if (status.decision === 'exception' && !status.exceptionExpired) return status.expiresAt === null;
  return status.compliant;
}

/**
 * Whether the user's category counts only certified security keys and their verdict can depend on it (the same
 * "for good" reasons as virtualDevicesSettle): then each FIDO device's GetMFADevice is read.
 */
export function needsCertifications(
  user: { accountId: string; userName: string; path: string; tags: Record<string, string>; groups: string[]; consoleAccess: boolean },
  program: CollectProgram,
  now: Date,
): boolean {
  if (!user.consoleAccess) return false;
  const status = resolveProgram({ ...user, devices: [] }, program.categories, program.decisions.get(user.userName) ?? null, now);
  if (!status.requireCertifiedKey || status.decision === 'out-of-scope') return false;
  return !(status.decision === 'exception' && !status.exceptionExpired && status.expiresAt === null);
}

const EMPTY_PROGRAM: CollectProgram = { categories: [], decisions: new Map() };

const PORTAL_PATH = 'mfa-portal/';
/** IAM's largest MaxItems: the service default (100) would make the bulk calls ten times as many. */
export const BULK_PAGE_SIZE = 1000;

/**
 * The user an unassigned virtual device was meant for: the console names a user's first device `mfa/<userName>`
 * (people add a suffix for a second one, `mfa/<userName>-backup`), and the portal creates its devices under
 * `mfa/mfa-portal/<userName>/`. When several user names fit a suffixed name, the longest wins
 * (`mfa/bob-smith-phone` is bob-smith's, not bob's). Anything else is not attributed.
 */
export function leftoverOwner(serial: string, userNames: ReadonlySet<string>): string | null {
  const m = VIRTUAL_MFA_SERIAL.exec(serial);
  if (!m) return null;
  const rest = m[1]!;
  if (rest.startsWith(PORTAL_PATH)) {
    const [owner = '', ...device] = rest.slice(PORTAL_PATH.length).split('/');
    return device.length > 0 && userNames.has(owner) ? owner : null;
  }
  if (rest.includes('/')) return null;
  if (userNames.has(rest)) return rest;
  for (let i = rest.lastIndexOf('-'); i > 0; i = rest.lastIndexOf('-', i - 1)) {
    const candidate = rest.slice(0, i);
    if (userNames.has(candidate)) return candidate;
  }
  return null;
}

/**
 * One account's inventory in bulk: GetAccountAuthorizationDetails (users, tags, groups), the credential
 * report (console access, password and key use, whether any MFA is active), ListVirtualMFADevices (live:
 * assigned devices with user and enable date, unassigned ones as leftovers), then ListMFADevices for users whose
 * active MFA is not explained by an assigned virtual device (hardware / FIDO), and for users with a virtual device
 * whose verdict the virtual device alone does not settle under the program (virtualDevicesSettle): a virtual device
 * in a category that does not allow it, one device where a backup is required. So verdicts are exact in every mode;
 * only the device list of a user it cannot matter for may miss a second device.
 *
 * The credential report can be up to four hours old: users created since are missing from it and get a live
 * GetLoginProfile + ListMFADevices instead; `recheck` names users whose stored row is newer than the report
 * (the portal's own enrollments), so a stale mfa_active does not hide their new device.
 */
export async function collectAccount(
  accountId: string,
  options: CollectOptions & { recheck?: (reportAt: Date | null) => Promise<ReadonlySet<string>> } = {},
): Promise<AccountInventory> {
  const { listAllDevices = false, pageSize = BULK_PAGE_SIZE, userConcurrency = 1, now = new Date(), onPhase } = options;

  // The report first: reading it through the SDK makes the most short-lived garbage of the whole collection,
  // and while the heap is still small that garbage is collected instead of adding to the peak.
  onPhase?.('credential-report');
  const raw = await readCredentialReport(accountId, options.reportPolling);
  const report = parseCredentialReport(raw.csv);
  onPhase?.('users');
  // One call at a time per account (see userConcurrency).
  const iamUsers = await readAccountUsers(accountId, { pageSize });
  const alias = await getAccountAlias(accountId);
  onPhase?.('virtual-devices');
  const virtual = await listVirtualDevices(accountId, { pageSize });

  const names = new Set(iamUsers.map((u) => u.userName));
  const devices = new Map<string, MfaDevice[]>();
  const leftovers = new Map<string, string[]>();
  const unattributed: string[] = [];
  for (const d of virtual) {
    if (d.userName) {
      const list = devices.get(d.userName) ?? [];
      list.push(toMfaDevice(d.serial, d.enabledAt));
      devices.set(d.userName, list);
      continue;
    }
    const owner = leftoverOwner(d.serial, names);
    if (owner) leftovers.set(owner, [...(leftovers.get(owner) ?? []), d.serial]);
    else unattributed.push(d.serial);
  }

  const recheck = (await options.recheck?.(raw.generatedAt)) ?? new Set<string>();
  const live = new Map<string, { consoleAccess?: boolean; devices: MfaDevice[] }>();
  // Users deleted between the bulk read and their own call: gone from the account, so gone from the inventory.
  const deleted = new Set<string>();
  const program = options.program ?? EMPTY_PROGRAM;
  const toCheck = iamUsers.filter((u) => {
    const row = report.users.get(u.userName);
    if (!row || recheck.has(u.userName)) return true;
    if (!row.mfaActive) return false;
    const known = devices.get(u.userName);
    if (listAllDevices || !known) return true;
    return !virtualDevicesSettle({ ...u, consoleAccess: row.passwordEnabled }, known.length, program, now);
  });
  onPhase?.('devices');
  await pLimit(userConcurrency).map(toCheck, async (u) => {
    const inReport = report.users.has(u.userName);
    try {
      const consoleAccess = inReport ? undefined : await hasConsoleAccess(accountId, u.userName);
      const listed = await listMfaDevices(accountId, u.userName);
      live.set(u.userName, { consoleAccess, devices: listed });
    } catch (error) {
      if (!isAwsError(error, 'NoSuchEntity')) throw error;
      deleted.add(u.userName);
    }
  });

  const deviceList = (userName: string) => live.get(userName)?.devices ?? devices.get(userName) ?? [];
  const certifiable = iamUsers.flatMap((u) => {
    if (deleted.has(u.userName)) return [];
    const consoleAccess = live.get(u.userName)?.consoleAccess ?? report.users.get(u.userName)?.passwordEnabled ?? false;
    if (!needsCertifications({ ...u, consoleAccess }, program, now)) return [];
    return deviceList(u.userName).filter((d) => d.type === 'fido').map((d) => ({ userName: u.userName, device: d }));
  });
  onPhase?.('certifications');
  const certified = new Map<string, MfaDevice['certifications']>();
  await pLimit(userConcurrency).map(certifiable, async ({ userName, device }) => {
    try {
      certified.set(device.serial, await getFidoCertifications(accountId, userName, device.serial));
    } catch (error) {
      // Removed since it was listed: left unread (not certified), as the next run will not list it at all.
      if (!isAwsError(error, 'NoSuchEntity')) throw error;
    }
  });

  const users = iamUsers.filter((u) => !deleted.has(u.userName)).map((u) => {
    const r: CredentialReportUser | undefined = report.users.get(u.userName);
    const checked = live.get(u.userName);
    const userDevices = deviceList(u.userName).map((d) => (certified.has(d.serial) ? { ...d, certifications: certified.get(d.serial) } : d));
    return classify(
      {
        ...u,
        createdAt: u.createdAt ? new Date(u.createdAt) : (r?.createdAt ?? null),
        consoleAccess: checked?.consoleAccess ?? r?.passwordEnabled ?? false,
        // Absent from the report: usage unknown, so no usage-based flag.
        passwordLastUsed: r ? r.passwordLastUsed : undefined,
        accessKeyLastUsed: r?.accessKeyLastUsed ?? null,
        devices: userDevices,
        // A device that is now enabled is not a leftover, whatever the listing order was.
        leftoverDevices: (leftovers.get(u.userName) ?? []).filter((s) => !userDevices.some((d) => d.serial === s)),
      },
      now,
      options.flagRules,
    );
  });

  return {
    accountId,
    alias,
    credentialReportAt: raw.generatedAt,
    rootMfaActive: report.rootMfaActive,
    rootStatus: rootStatus(report.root, options.rootCredentialsManagement ?? false),
    users,
    unattributedLeftovers: unattributed,
  };
}
