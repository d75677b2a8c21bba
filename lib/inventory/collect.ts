import 'server-only';
import { getAccountAlias, type IamUser } from '@/lib/aws/iam';
import { accountUserPages, listVirtualDevices, readCredentialReport, type ReportPolling, type VirtualDeviceEntry } from '@/lib/aws/inventory-sources';
import { toMfaDevice, type MfaDevice } from '@/lib/aws/mfa-devices';
import { VIRTUAL_MFA_SERIAL } from '@/lib/iam-identifiers';
import type { ClassifiedUser, FlagRules } from './classify';
import { collectBatch, USER_BATCH } from './collect-batch';
import { virtualDevicesSettle, type CollectProgram } from './collect-rules';
import { parseCredentialReport, rootStatus, type RootStatus } from './credential-report';

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
  /**
   * Receives the classified users batch by batch (USER_BATCH), awaited before the next batch's calls; the
   * inventory's `users` is then empty. Without it, `users` holds them all.
   */
  onUsers?: (users: ClassifiedUser[]) => Promise<void>;
};

export type CollectPhase = 'credential-report' | 'users' | 'virtual-devices' | 'devices' | 'certifications';

export type AccountInventory = {
  accountId: string;
  alias: string | null;
  credentialReportAt: Date | null;
  rootMfaActive: boolean | null;
  /** From the report's root row and MFA_ROOT_CREDENTIALS_MANAGEMENT (rootStatus). */
  rootStatus: RootStatus;
  /** Empty when the users went to `onUsers`. */
  users: ClassifiedUser[];
  /** Users collected (handed to onUsers or in `users`). */
  userCount: number;
  /** Unassigned virtual devices that no user can be attributed to (neither `mfa/<user>` nor the portal's path). */
  unattributedLeftovers: string[];
};

export { needsCertifications, virtualDevicesSettle, type CollectProgram } from './collect-rules';

const EMPTY_PROGRAM: CollectProgram = { categories: [], decisions: new Map() };

const PORTAL_PATH = 'mfa-portal/';
/** IAM's largest MaxItems: the service default (100) would make the bulk calls ten times as many. */
export const BULK_PAGE_SIZE = 1000;

/**
 * The user names an unassigned virtual device may have been meant for, most likely first: the console names a
 * user's first device `mfa/<userName>` (people add a suffix for a second one, `mfa/<userName>-backup`), and the
 * portal creates its devices under `mfa/mfa-portal/<userName>/`. A suffixed name fits each name before one of its
 * dashes, the longest first (`mfa/bob-smith-phone`: bob-smith-phone, bob-smith, bob). Anything else fits no one.
 */
export function possibleOwners(serial: string): string[] {
  const m = VIRTUAL_MFA_SERIAL.exec(serial);
  if (!m) return [];
  const rest = m[1]!;
  if (rest.startsWith(PORTAL_PATH)) {
    const [owner = '', ...device] = rest.slice(PORTAL_PATH.length).split('/');
    return device.length > 0 && owner ? [owner] : [];
  }
  if (rest.includes('/')) return [];
  const names = [rest];
  for (let i = rest.lastIndexOf('-'); i > 0; i = rest.lastIndexOf('-', i - 1)) names.push(rest.slice(0, i));
  return names;
}

/** The user an unassigned virtual device was meant for: the most likely of its possibleOwners that is a user. */
export function leftoverOwner(serial: string, userNames: ReadonlySet<string>): string | null {
  return possibleOwners(serial).find((name) => userNames.has(name)) ?? null;
}

async function readReport(accountId: string, polling: ReportPolling | undefined) {
  const raw = await readCredentialReport(accountId, polling);
  return { report: parseCredentialReport(raw.csv), reportAt: raw.generatedAt };
}

/** Assigned virtual devices by user, and the serials of the unassigned ones. */
function splitVirtualDevices(virtual: readonly VirtualDeviceEntry[]) {
  const devices = new Map<string, MfaDevice[]>();
  const unassigned: string[] = [];
  for (const d of virtual) {
    if (!d.userName) {
      unassigned.push(d.serial);
      continue;
    }
    const list = devices.get(d.userName);
    if (list) list.push(toMfaDevice(d.serial, d.enabledAt));
    else devices.set(d.userName, [toMfaDevice(d.serial, d.enabledAt)]);
  }
  return { devices, unassigned };
}

/** Unassigned virtual devices attributed to a user (leftoverOwner) or to no one, once every user name is known. */
function attributeLeftovers(unassigned: readonly string[], names: ReadonlySet<string>) {
  const leftovers = new Map<string, string[]>();
  const unattributed: string[] = [];
  for (const serial of unassigned) {
    const owner = leftoverOwner(serial, names);
    if (owner) leftovers.set(owner, [...(leftovers.get(owner) ?? []), serial]);
    else unattributed.push(serial);
  }
  return { leftovers, unattributed };
}

const NO_LEFTOVERS: ReadonlyMap<string, string[]> = new Map();

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
  // Only the parsed report is kept: the CSV text (MBs at 10,000 users) is dropped with readReport's frame.
  const { report, reportAt } = await readReport(accountId, options.reportPolling);
  // A database read: made while the account's next IAM calls are in flight, not between them.
  const recheckRead = options.recheck?.(reportAt);
  recheckRead?.catch(() => undefined);
  // One call at a time per account (see userConcurrency).
  const alias = await getAccountAlias(accountId);
  onPhase?.('virtual-devices');
  const { devices, unassigned } = splitVirtualDevices(await listVirtualDevices(accountId, { pageSize }));
  // A user an unassigned device may belong to waits until every user name is known (the longest name wins).
  const waiting = new Set(unassigned.flatMap(possibleOwners));

  const recheck = (await recheckRead) ?? new Set<string>();
  const program = options.program ?? EMPTY_PROGRAM;
  const needsLiveCheck = (u: IamUser) => {
    const row = report.users.get(u.userName);
    if (!row || recheck.has(u.userName)) return true;
    if (!row.mfaActive) return false;
    const known = devices.get(u.userName);
    if (listAllDevices || !known) return true;
    return !virtualDevicesSettle({ ...u, consoleAccess: row.passwordEnabled }, known.length, program, now);
  };
  const kept: ClassifiedUser[] = [];
  let userCount = 0;
  // Batch by batch, each handed on (onUsers: stored) before the next one's calls: an account never holds all its
  // classified users, and the writes overlap the account's remaining IAM calls. Each batch's report rows and virtual
  // devices are let go once it is classified: the account holds less of its bulk reads as it goes.
  const handOn = async (users: readonly IamUser[], leftovers: ReadonlyMap<string, string[]>) => {
    for (let i = 0; i < users.length; i += USER_BATCH) {
      const batch = users.slice(i, i + USER_BATCH);
      const classified = await collectBatch(accountId, batch, { report, devices, leftovers, needsLiveCheck, program, now, userConcurrency, flagRules: options.flagRules, onPhase });
      for (const u of batch) {
        report.users.delete(u.userName);
        devices.delete(u.userName);
      }
      userCount += classified.length;
      if (options.onUsers) await options.onUsers(classified);
      else kept.push(...classified);
    }
  };
  // The users a page at a time, each page's users collected before the next page is read: the account holds one page
  // of users, not all of them, and its large pages are spread over the run instead of all coming first.
  // Only the names a leftover may belong to are kept (leftoverOwner looks for no other), not every user's.
  const names = new Set<string>();
  const deferred: IamUser[] = [];
  onPhase?.('users');
  for await (const page of accountUserPages(accountId, { pageSize })) {
    const ready: IamUser[] = [];
    for (const u of page) {
      if (!waiting.has(u.userName)) ready.push(u);
      else {
        names.add(u.userName);
        deferred.push(u);
      }
    }
    await handOn(ready, NO_LEFTOVERS);
    onPhase?.('users');
  }
  const { leftovers, unattributed } = attributeLeftovers(unassigned, names);
  await handOn(deferred, leftovers);

  return {
    accountId,
    alias,
    credentialReportAt: reportAt,
    rootMfaActive: report.rootMfaActive,
    rootStatus: rootStatus(report.root, options.rootCredentialsManagement ?? false),
    users: kept,
    userCount,
    unattributedLeftovers: unattributed,
  };
}
