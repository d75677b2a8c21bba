import 'server-only';
import { accountLabels } from '@/lib/accounts/registry';
import { classifyAwsError } from '@/lib/aws/errors';
import { getAccountAlias, hasConsoleAccess, listMfaDevices } from '@/lib/aws/iam';
import type { MfaDevice } from '@/lib/aws/mfa-devices';
import type { Actor, Principal } from '@/lib/auth/types';
import { getProgramFor } from '@/lib/program/member';
import type { ProgramStatus } from '@/lib/program/resolve';
import { mfaStatusOf, type MfaStatus } from './status';
import { getSignInEvidence } from '@/lib/events/evidence';
import { principalKey } from '@/lib/enrollment/ownership';
import { getMemberWindowInfo, type MemberWindowInfo } from '@/lib/windows/member';

export type MemberIamUser = Principal & {
  accountLabel: string;
  accountAlias: string | null;
} & (
    | {
        ok: true;
        consoleAccess: boolean;
        devices: MfaDevice[];
        status: MfaStatus;
        /** Null when the program could not be read (AWS failed while reading a user the inventory has not seen). */
        program: ProgramStatus | null;
        /** The latest console sign-in with MFA that AWS CloudTrail reported (IAM change events), if any. */
        consoleMfaSeenAt: Date | null;
        /** Extensions used of the category's limits, a request waiting for an admin (lib/windows). */
        windows: MemberWindowInfo | null;
      }
    | { ok: false; problem: string }
  );

const problemText: Partial<Record<string, string>> = {
  AccessDenied: 'The portal is not allowed to read this account. Ask an administrator to check its member role.',
  Throttled: 'AWS is busy (throttling). Reload in a minute.',
  Unreachable: 'AWS could not be reached. Reload in a minute.',
  ServiceFailure: 'AWS reported an internal error. Reload in a minute.',
  NoSuchEntity: 'This IAM user no longer exists.',
};

/**
 * Each of the actor's own IAM users, read live from IAM, with the enrollment program that applies to it.
 * One account failing does not hide the others.
 */
export async function getMemberOverview(actor: Actor, now = new Date()): Promise<MemberIamUser[]> {
  const labels = await accountLabels();
  const [evidence, windowInfo] = await Promise.all([getSignInEvidence(actor, actor.principals), getMemberWindowInfo(actor)]);
  return Promise.all(
    actor.principals.map(async (p): Promise<MemberIamUser> => {
      const base = { ...p, accountLabel: labels.get(p.accountId) ?? p.accountId };
      try {
        const [accountAlias, consoleAccess, devices] = await Promise.all([
          getAccountAlias(p.accountId),
          hasConsoleAccess(p.accountId, p.userName),
          listMfaDevices(p.accountId, p.userName),
        ]);
        const program = await getProgramFor([{ principal: p, consoleAccess, devices }], now).then(
          ([status]) => status ?? null,
          (error: unknown) => {
            if (classifyAwsError(error).code === 'Unknown') throw error;
            return null;
          },
        );
        const consoleMfaSeenAt = evidence.get(principalKey(p))?.mfaSeenAt ?? null;
        return { ...base, accountAlias, ok: true, consoleAccess, devices, status: mfaStatusOf(consoleAccess, devices), program, consoleMfaSeenAt, windows: windowInfo.get(principalKey(p)) ?? null };
      } catch (error) {
        const { code } = classifyAwsError(error);
        if (code === 'Unknown') throw error;
        return { ...base, accountAlias: null, ok: false, problem: problemText[code] ?? 'AWS returned an error. Reload in a minute.' };
      }
    }),
  );
}
