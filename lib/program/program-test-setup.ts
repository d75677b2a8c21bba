/**
 * Shared by the program integration tests: the database of the local stack, actors of each role, users written
 * to the inventory as the inventory itself writes them, a category input, and readers of the audit log.
 */
import { beforeAll } from 'vitest';
import { asc, desc, eq, gt, max } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { getDb, type Db } from '@/lib/db/client';
import { auditLog, exceptionRequests, inventoryUsers, programCategories, programDecisions, userWindows } from '@/lib/db/schema';
import type { Actor, Role } from '@/lib/auth/types';
import { userArn } from '@/lib/iam-identifiers';
import { classify } from '@/lib/inventory/classify';
import { toRow } from '@/lib/inventory/store';
import { categoryInputSchema, type CategoryInput } from './program-input';

/** The database, set before the first test of each file that calls programStack() (an ES live binding). */
export let db: Db;

/** Registers the file's hook: the local stack starts (or is joined) before its tests. */
export function programStack(): void {
  beforeAll(async () => {
    await useLocalStack();
    db = await getDb();
  });
}

export const A = '111111111111';
export const B = '222222222222';
const actor = (roles: Role[], id = 'dave@example.com'): Actor => ({ id, email: id, name: 'Dave', method: 'oidc', roles, principals: [], authTime: 0 });
export const security = actor(['member', 'admin', 'security']);
export const admin = actor(['member', 'admin'], 'carol@example.com');
export const member = actor(['member'], 'alice@example.com');

/** Empties the program and the inventory of `target`. */
export async function resetDatabase(target: Db) {
  await target.delete(userWindows);
  await target.delete(exceptionRequests);
  await target.delete(programDecisions);
  await target.delete(programCategories);
  await target.delete(inventoryUsers);
}

/** The same for the local stack's database; no parameter, so it can be a hook itself (`beforeEach(reset)`). */
export const reset = () => resetDatabase(db);

export type UserSpec = {
  accountId: string;
  userName: string;
  path: string;
  tags: Record<string, string>;
  groups: string[];
  consoleAccess: boolean;
  types: ('virtual' | 'hardware' | 'fido')[];
  certs?: (Record<string, string> | undefined)[];
};

/** The user's devices; certifications only on FIDO ones (GetMFADevice reads nothing else). */
export const deviceFacts = (u: Pick<UserSpec, 'types' | 'certs'>) =>
  u.types.map((type, i) => (type === 'fido' && u.certs?.[i] !== undefined ? { type, certifications: u.certs[i] } : { type }));

/** The inventory_users row the collection would store for `u`. */
export const userRow = (u: UserSpec) =>
  toRow(
    classify({
      accountId: u.accountId,
      userName: u.userName,
      arn: userArn(u.accountId, u.userName, u.path),
      path: u.path,
      createdAt: null,
      tags: { ...u.tags },
      groups: u.groups,
      consoleAccess: u.consoleAccess,
      passwordLastUsed: undefined,
      accessKeyLastUsed: null,
      devices: deviceFacts(u).map((d, i) => ({ serial: `${u.userName}-${d.type}-${i}`, name: `${u.userName}-${i}`, enabledAt: null, ...d })),
      leftoverDevices: [],
    }),
    'inventory',
    null,
    new Date(),
  );

export async function insertUsers(users: UserSpec[], target: Db = db) {
  if (users.length === 0) return;
  await target.insert(inventoryUsers).values(users.map(userRow));
}

export const input = (p: Partial<Record<string, string>>): CategoryInput =>
  categoryInputSchema(new Date()).parse({ selectorKind: 'account', selectorValue: A, defaultDecision: 'required', allow_virtual: 'on', allow_hardware: 'on', allow_fido: 'on', deadline: '2027-03-01T17:00', ...p });

/** The newest audit id, to read only the entries a step adds (the log is not reset between tests). */
export const auditMark = async () => (await db.select({ id: max(auditLog.id) }).from(auditLog))[0]?.id ?? 0;
export const auditSince = async (mark: number) =>
  db.select({ actor: auditLog.actor, action: auditLog.action, target: auditLog.target, outcome: auditLog.outcome, detail: auditLog.detail }).from(auditLog).where(gt(auditLog.id, mark)).orderBy(asc(auditLog.id));

export const lastAudit = async (action: string) => (await db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id)).limit(1))[0];
