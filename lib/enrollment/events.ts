import 'server-only';
import { and, count, desc, eq, inArray } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { recordAudit, type AuditAction, type MutationContext } from '@/lib/audit/log';
import { metrics } from '@/lib/ops/metrics';
import { enrollmentEvents, type EnrollmentEvent } from '@/lib/db/schema';
import type { MfaDeviceType } from '@/lib/aws/mfa-devices';
import type { Principal } from '@/lib/auth/types';
import { userArn } from '@/lib/iam-identifiers';
import { releaseHoldFor } from './limiter';
import { userEventsSince } from './event-filter';

export type EventKind =
  | 'virtual.created'
  | 'virtual.codes'
  | 'virtual.enabled'
  | 'virtual.cancelled'
  | 'hardware.enable'
  | 'fido.detected'
  | 'device.resync'
  | 'device.removed'
  | 'device.test-cli'
  | 'device.test-console'
  | 'leftover.deleted';

export type NewEvent = {
  actor: string;
  principal: Pick<Principal, 'accountId' | 'userName'>;
  kind: EventKind;
  outcome: 'success' | 'failure';
  /** A reason code such as `drift` or `InvalidAuthenticationCode`. Never a code, seed or secret. */
  reason?: string;
  enrollmentId?: string;
  deviceType?: MfaDeviceType;
  serial?: string;
  detail?: Record<string, unknown>;
};

/** The audit action each enrollment step is recorded under (its AWS calls' intent/outcome rows use it too). */
export const EVENT_AUDIT_ACTION: Record<EventKind, AuditAction> = {
  'virtual.created': 'enrollment.virtual.start',
  'virtual.codes': 'enrollment.virtual.codes',
  'virtual.enabled': 'enrollment.virtual.complete',
  'virtual.cancelled': 'enrollment.virtual.cancel',
  'hardware.enable': 'enrollment.hardware',
  'fido.detected': 'enrollment.fido.detected',
  'device.resync': 'device.resync',
  'device.removed': 'device.remove',
  'device.test-cli': 'device.test-cli',
  'device.test-console': 'device.test-console',
  'leftover.deleted': 'enrollment.leftover.delete',
};

const arnOf = (p: Pick<Principal, 'accountId' | 'userName'>) => userArn(p.accountId, p.userName);

/** Records one enrollment step: its enrollment event (rate limits, history) and its audit row, in one transaction. */
export async function recordEvent(e: NewEvent): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    await writeEvent(tx as unknown as Db, e);
    await releaseHoldFor(tx as unknown as Db, e);
    await recordAudit(tx as unknown as Db, {
      actor: e.actor,
      action: EVENT_AUDIT_ACTION[e.kind],
      target: arnOf(e.principal),
      outcome: e.outcome,
      detail: {
        ...e.detail,
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.serial ? { serial: e.serial } : {}),
        ...(e.deviceType ? { deviceType: e.deviceType } : {}),
        ...(e.enrollmentId ? { enrollmentId: e.enrollmentId } : {}),
      },
    });
  });
  metrics().enrollment.inc({ step: e.kind, device_type: e.deviceType ?? 'none', result: e.outcome });
}

async function writeEvent(db: Db, e: NewEvent): Promise<void> {
  await db.insert(enrollmentEvents).values({
    actor: e.actor,
    accountId: e.principal.accountId,
    userName: e.principal.userName,
    kind: e.kind,
    outcome: e.outcome,
    reason: e.reason ?? null,
    enrollmentId: e.enrollmentId ?? null,
    deviceType: e.deviceType ?? null,
    serial: e.serial ?? null,
    detail: e.detail ?? {},
  });
}

/** When each matching event happened (for rate limits that state the next allowed time). */
export async function userEventTimes(principal: Pick<Principal, 'accountId' | 'userName'>, kinds: EventKind[], since: Date, outcome?: 'success' | 'failure'): Promise<Date[]> {
  const db = await getDb();
  const rows = await db.select({ at: enrollmentEvents.at }).from(enrollmentEvents).where(userEventsSince(principal, kinds, since, outcome));
  return rows.map((r) => r.at);
}

/** Everything recorded about one virtual setup, oldest first: tells apart why a setup can no longer be completed. */
export async function enrollmentHistory(enrollmentId: string): Promise<Pick<EnrollmentEvent, 'kind' | 'outcome' | 'reason' | 'actor' | 'at'>[]> {
  const db = await getDb();
  return db
    .select({ kind: enrollmentEvents.kind, outcome: enrollmentEvents.outcome, reason: enrollmentEvents.reason, actor: enrollmentEvents.actor, at: enrollmentEvents.at })
    .from(enrollmentEvents)
    .where(eq(enrollmentEvents.enrollmentId, enrollmentId))
    .orderBy(enrollmentEvents.at, enrollmentEvents.id);
}

export async function countEnrollmentEvents(enrollmentId: string, kind: EventKind): Promise<number> {
  const db = await getDb();
  const [row] = await db
    .select({ n: count() })
    .from(enrollmentEvents)
    .where(and(eq(enrollmentEvents.enrollmentId, enrollmentId), eq(enrollmentEvents.kind, kind)));
  return row?.n ?? 0;
}

/** When the portal created each of these virtual devices (from its own events). */
export async function creationTimes(serials: string[]): Promise<Map<string, Date>> {
  if (serials.length === 0) return new Map();
  const db = await getDb();
  const rows = await db
    .select({ serial: enrollmentEvents.serial, at: enrollmentEvents.at })
    .from(enrollmentEvents)
    .where(and(eq(enrollmentEvents.kind, 'virtual.created'), inArray(enrollmentEvents.serial, serials)));
  const out = new Map<string, Date>();
  for (const r of rows) if (r.serial && (!out.has(r.serial) || out.get(r.serial)! < r.at)) out.set(r.serial, r.at);
  return out;
}

export async function listUserEvents(principal: Pick<Principal, 'accountId' | 'userName'>, limit = 50): Promise<EnrollmentEvent[]> {
  const db = await getDb();
  return db
    .select()
    .from(enrollmentEvents)
    .where(and(eq(enrollmentEvents.accountId, principal.accountId), eq(enrollmentEvents.userName, principal.userName)))
    .orderBy(desc(enrollmentEvents.at), desc(enrollmentEvents.id))
    .limit(limit);
}

/** The audit context of one step's AWS mutations: written as intent before the call and outcome after it. */
export const stepAudit = (actor: string, principal: Pick<Principal, 'accountId' | 'userName'>, kind: EventKind, detail: Record<string, unknown> = {}): MutationContext => ({
  actor,
  action: EVENT_AUDIT_ACTION[kind],
  target: arnOf(principal),
  detail,
});
