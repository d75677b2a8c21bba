import 'server-only';
import pLimit from 'p-limit';
import { isAwsError } from '@/lib/aws/errors';
import { getFidoCertifications, hasConsoleAccess, listMfaDevices, type IamUser } from '@/lib/aws/iam';
import type { MfaDevice } from '@/lib/aws/mfa-devices';
import { classify, type ClassifiedUser, type FlagRules } from './classify';
import type { CollectPhase, CollectProgram } from './collect';
import { needsCertifications } from './collect-rules';
import type { CredentialReport, CredentialReportUser } from './credential-report';

/** Users classified and handed on at a time: one INSERT's worth (store.ts INSERT_BATCH). */
export const USER_BATCH = 500;

export type AccountFacts = {
  report: CredentialReport;
  /** Assigned virtual devices by user name (ListVirtualMFADevices). */
  devices: ReadonlyMap<string, MfaDevice[]>;
  /** Unassigned virtual devices attributed to a user (leftoverOwner), by user name. */
  leftovers: ReadonlyMap<string, string[]>;
  /** Whether the user's devices must be listed live (ListMFADevices): see collectAccount. */
  needsLiveCheck: (u: IamUser) => boolean;
  program: CollectProgram;
  now: Date;
  userConcurrency: number;
  flagRules?: FlagRules;
  onPhase?: (phase: CollectPhase) => void;
};

/**
 * One batch of an account's users: the live calls the bulk sources leave (ListMFADevices, GetLoginProfile for users
 * missing from the report, GetMFADevice for certifications), then the classification. Every user's row depends only
 * on the account's bulk facts and their own calls, so batches give what one pass over all users gives.
 */
export async function collectBatch(accountId: string, batch: readonly IamUser[], facts: AccountFacts): Promise<ClassifiedUser[]> {
  const { report, devices, leftovers, program, now, userConcurrency, onPhase } = facts;
  const live = new Map<string, { consoleAccess?: boolean; devices: MfaDevice[] }>();
  // Users deleted between the bulk read and their own call: gone from the account, so gone from the inventory.
  const deleted = new Set<string>();
  onPhase?.('devices');
  await pLimit(userConcurrency).map(batch.filter(facts.needsLiveCheck), async (u) => {
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
  const certifiable = batch.flatMap((u) => {
    if (deleted.has(u.userName)) return [];
    const consoleAccess = live.get(u.userName)?.consoleAccess ?? report.users.get(u.userName)?.passwordEnabled ?? false;
    if (!needsCertifications({ ...u, consoleAccess }, program, now)) return [];
    return deviceList(u.userName).filter((d) => d.type === 'fido').map((d) => ({ userName: u.userName, device: d }));
  });
  if (certifiable.length > 0) onPhase?.('certifications');
  const certified = new Map<string, MfaDevice['certifications']>();
  await pLimit(userConcurrency).map(certifiable, async ({ userName, device }) => {
    try {
      certified.set(device.serial, await getFidoCertifications(accountId, userName, device.serial));
    } catch (error) {
      // Removed since it was listed: left unread (not certified), as the next run will not list it at all.
      if (!isAwsError(error, 'NoSuchEntity')) throw error;
    }
  });

  return batch.filter((u) => !deleted.has(u.userName)).map((u) => {
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
      facts.flagRules,
    );
  });
}
