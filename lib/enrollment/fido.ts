import 'server-only';
import { and, eq, inArray } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { enrollmentEvents } from '@/lib/db/schema';
import { getAccountAlias, listMfaDevices } from '@/lib/aws/iam';
import type { MfaDevice } from '@/lib/aws/mfa-devices';
import { ok, type ActionResult } from '@/lib/actions/result';
import type { Actor, Principal } from '@/lib/auth/types';
import { refuseDisallowedType } from '@/lib/program/device-type-guard';
import { refreshStoredUser } from './freshness';
import { recordEvent } from './events';
import { awsFailure } from './messages';
import { notYourUser, ownPrincipal, type PrincipalRef } from './ownership';

const SECURITY_CREDENTIALS = 'https://console.aws.amazon.com/iam/home#/security_credentials';

/**
 * The console sign-in URL of the right account (by alias when it has one), landing on the person's own
 * Security credentials page. Built only from the verified account id/alias, never from input.
 */
export async function consoleSecurityCredentialsUrl(principal: Principal): Promise<string> {
  const alias = await getAccountAlias(principal.accountId).catch(() => null);
  const host = `${alias && /^[a-z0-9-]{3,63}$/.test(alias) ? alias : principal.accountId}.signin.aws.amazon.com`;
  const url = new URL(`https://${host}/console`);
  url.searchParams.set('redirect_uri', SECURITY_CREDENTIALS);
  return url.toString();
}

export type FidoStart = { consoleUrl: string; baseline: string[] };

/**
 * The start of a FIDO enrollment: the console deep link and the keys already there (the baseline detection
 * compares against). Refused before any AWS call when the IAM user's category does not allow security keys.
 */
export async function startFidoEnrollment(actor: Actor, ref: PrincipalRef): Promise<ActionResult<FidoStart>> {
  const principal = await ownPrincipal(actor, ref, 'enrollment.fido.start');
  if (!principal) return notYourUser;
  try {
    const disallowed = await refuseDisallowedType(actor, principal, 'fido', 'enrollment.fido.start');
    if (disallowed) return disallowed;
    const [devices, consoleUrl] = await Promise.all([listMfaDevices(principal.accountId, principal.userName), consoleSecurityCredentialsUrl(principal)]);
    return ok({ consoleUrl, baseline: devices.filter((d) => d.type === 'fido').map((d) => d.serial) });
  } catch (error) {
    return awsFailure(error);
  }
}

export type FidoCheck = { found: MfaDevice | null; fidoSerials: string[] };

/**
 * Looks for a FIDO device that was not there when the person started (their baseline). IAM has no API
 * to register one, so this is how the portal learns of a key added in the console.
 */
export async function checkForNewFidoKey(actor: Actor, ref: PrincipalRef, baseline: string[]): Promise<ActionResult<FidoCheck>> {
  const principal = await ownPrincipal(actor, ref, 'enrollment.fido.check');
  if (!principal) return notYourUser;
  let devices;
  try {
    const disallowed = await refuseDisallowedType(actor, principal, 'fido', 'enrollment.fido.check');
    if (disallowed) return disallowed;
    devices = await listMfaDevices(principal.accountId, principal.userName);
  } catch (error) {
    return awsFailure(error);
  }
  const fido = devices.filter((d) => d.type === 'fido');
  const known = new Set(baseline);
  const found = fido.find((d) => !known.has(d.serial)) ?? null;
  if (found && !(await alreadyRecorded(principal, found.serial))) {
    await recordEvent({ actor: actor.id, principal, kind: 'fido.detected', outcome: 'success', deviceType: 'fido', serial: found.serial });
    await refreshStoredUser(principal);
  }
  return ok({ found, fidoSerials: fido.map((d) => d.serial) });
}

async function alreadyRecorded(principal: Principal, serial: string): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .select({ id: enrollmentEvents.id })
    .from(enrollmentEvents)
    .where(and(eq(enrollmentEvents.accountId, principal.accountId), eq(enrollmentEvents.kind, 'fido.detected'), inArray(enrollmentEvents.serial, [serial])))
    .limit(1);
  return rows.length > 0;
}
