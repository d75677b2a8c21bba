import 'server-only';
import { and, eq } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { programUsers } from '@/lib/db/schema';
import { portalCallerIdentity } from '@/lib/aws/clients';
import { parsePrincipalArn } from '@/lib/iam-identifiers';
import { isActiveException, type ImpactUser } from './impact';

/** The inventory as the impact needs it: every user, or only `only`. */
export async function impactRows(only?: { accountId: string; userName: string }): Promise<ImpactUser[]> {
  const db = await getDb();
  const rows = await db
    .select({
      accountId: programUsers.accountId,
      userName: programUsers.userName,
      groups: programUsers.groups,
      tags: programUsers.tags,
      devices: programUsers.devices,
      consoleAccess: programUsers.consoleAccess,
      accessKeyLastUsed: programUsers.accessKeyLastUsed,
      decision: programUsers.decision,
      exceptionExpired: programUsers.exceptionExpired,
    })
    .from(programUsers)
    .where(only ? and(eq(programUsers.accountId, only.accountId), eq(programUsers.userName, only.userName)) : undefined);
  return rows.map((r) => ({ ...r, activeException: isActiveException(r) }));
}

/** The portal's own identity when it is an IAM user (the only kind the policy, attached to groups, can deny). */
export async function portalUser(): Promise<{ accountId: string; userName: string } | null> {
  const me = parsePrincipalArn((await portalCallerIdentity()).arn);
  return me.kind === 'user' ? { accountId: me.accountId, userName: me.userName } : null;
}
