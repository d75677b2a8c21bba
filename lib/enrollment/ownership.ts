import 'server-only';
import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { recordAudit, type AuditAction } from '@/lib/audit/log';
import type { Actor, Principal } from '@/lib/auth/types';
import { USER_REF, userArn } from '@/lib/iam-identifiers';

/** How a form names one of the person's IAM users: `accountId/userName`. Parsed, then looked up in the session. */
export const principalRefSchema = z
  .string()
  .trim()
  .regex(USER_REF, 'Choose one of your IAM users.')
  .transform((v) => {
    const [accountId, userName] = v.split('/') as [string, string];
    return { accountId, userName };
  });

export type PrincipalRef = z.output<typeof principalRefSchema>;

export const principalKey = (p: Pick<Principal, 'accountId' | 'userName'>) => `${p.accountId}/${p.userName}`;

/**
 * Self-service acts only on the signed-in person's own IAM users, taken from the session. A request
 * naming anyone else's user is refused and audited, whoever sends it.
 */
export async function ownPrincipal(actor: Actor, ref: PrincipalRef, action: AuditAction): Promise<Principal | null> {
  const mine = actor.principals.find((p) => p.accountId === ref.accountId && p.userName === ref.userName);
  if (mine) return mine;
  await recordAudit(await getDb(), {
    actor: actor.id,
    action,
    target: userArn(ref.accountId, ref.userName),
    outcome: 'denied',
    detail: { reason: 'NotYourIamUser' },
  });
  return null;
}

export const notYourUser = {
  status: 'error',
  code: 'NotYourIamUser',
  message: 'That IAM user is not one of yours. You can only manage MFA for your own IAM users.',
} as const;

/** For pages: the IAM user named by `?user=accountId/userName`, or the only one the person has. */
export function pickOwnPrincipal(actor: Actor, user: string | undefined): Principal | null {
  if (!user) return actor.principals.length === 1 ? actor.principals[0]! : null;
  const ref = principalRefSchema.safeParse(user);
  if (!ref.success) return null;
  return actor.principals.find((p) => p.accountId === ref.data.accountId && p.userName === ref.data.userName) ?? null;
}
