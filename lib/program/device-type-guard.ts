import 'server-only';
import { getDb } from '@/lib/db/client';
import { recordAudit, type AuditAction } from '@/lib/audit/log';
import { fail } from '@/lib/actions/result';
import type { DeviceType } from '@/lib/db/schema';
import type { Actor, Principal } from '@/lib/auth/types';
import { userArn } from '@/lib/iam-identifiers';
import { deviceTypeRefusal, getProgramFor } from './member';

type Key = Pick<Principal, 'accountId' | 'userName'>;

/**
 * Null when this IAM user's category allows the type; otherwise the member's message. Which types are allowed
 * depends only on the category, not on console access or the devices, so none are read here.
 */
export async function deviceTypeRefusalFor(principal: Key, type: DeviceType): Promise<string | null> {
  const [status] = await getProgramFor([{ principal, consoleAccess: true, devices: [] }]);
  return status ? deviceTypeRefusal(status, type) : null;
}

/**
 * Security rule: every step that starts or completes an enrollment of a type calls this before touching AWS.
 * A refusal is audited as denied. AWS errors (reading a user the inventory has not seen) are thrown to the caller.
 */
export async function refuseDisallowedType(
  actor: Pick<Actor, 'id'>,
  principal: Key,
  type: DeviceType,
  action: AuditAction,
): Promise<ReturnType<typeof fail> | null> {
  const message = await deviceTypeRefusalFor(principal, type);
  if (!message) return null;
  await recordAudit(await getDb(), {
    actor: actor.id,
    action,
    target: userArn(principal.accountId, principal.userName),
    outcome: 'denied',
    detail: { reason: 'DeviceTypeNotAllowed', deviceType: type },
  });
  return fail('DeviceTypeNotAllowed', message);
}
