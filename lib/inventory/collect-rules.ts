import 'server-only';
import { resolveProgram, type ProgramCategory, type UserDecision } from '@/lib/program/resolve';

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
