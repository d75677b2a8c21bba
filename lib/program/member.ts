import 'server-only';
import { and, eq, or } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { inventoryUsers, programCategories, programDecisions, userWindows, type CategoryRow, type DeviceType } from '@/lib/db/schema';
import { getFidoCertifications, getIamUser } from '@/lib/aws/iam';
import type { MfaDevice } from '@/lib/aws/mfa-devices';
import type { Principal } from '@/lib/auth/types';
import { deviceTypeNoun } from '@/lib/device-types';
import { allowedTypesText, resolveProgram, type ActiveWindow, type ProgramStatus, type UserDecision } from './resolve';

type Key = Pick<Principal, 'accountId' | 'userName'>;

export async function loadCategories(db: Db): Promise<CategoryRow[]> {
  return db.select().from(programCategories).orderBy(programCategories.position, programCategories.id);
}

async function loadDecisions(db: Db, keys: readonly Key[]): Promise<Map<string, UserDecision>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .select()
    .from(programDecisions)
    .where(or(...keys.map((k) => and(eq(programDecisions.accountId, k.accountId), eq(programDecisions.userName, k.userName)))));
  return new Map(rows.map((r) => [`${r.accountId}/${r.userName}`, r]));
}

/** The users' active windows (lib/windows): their ends are the users' effective deadlines. */
async function loadActiveWindows(db: Db, keys: readonly Key[]): Promise<Map<string, ActiveWindow>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .select({ id: userWindows.id, accountId: userWindows.accountId, userName: userWindows.userName, kind: userWindows.kind, endsAt: userWindows.endsAt })
    .from(userWindows)
    .where(and(eq(userWindows.status, 'active'), or(...keys.map((k) => and(eq(userWindows.accountId, k.accountId), eq(userWindows.userName, k.userName))))));
  return new Map(rows.map((r) => [`${r.accountId}/${r.userName}`, { id: r.id, kind: r.kind, endsAt: r.endsAt }]));
}

/**
 * The program for each of these IAM users, with their live devices. Path, tags and groups come from the stored
 * inventory; a user it has not seen yet (created since the last run) is read live from IAM.
 */
export async function getProgramFor(
  items: readonly { principal: Key; consoleAccess: boolean; devices: readonly (Pick<MfaDevice, 'type'> & Partial<Pick<MfaDevice, 'serial' | 'certifications'>>)[] }[],
  now = new Date(),
): Promise<ProgramStatus[]> {
  const db = await getDb();
  const keys = items.map((i) => i.principal);
  const [categories, decisions, windows, stored] = await Promise.all([
    loadCategories(db),
    loadDecisions(db, keys),
    loadActiveWindows(db, keys),
    keys.length
      ? db
          .select({ accountId: inventoryUsers.accountId, userName: inventoryUsers.userName, path: inventoryUsers.path, tags: inventoryUsers.tags, groups: inventoryUsers.groups })
          .from(inventoryUsers)
          .where(or(...keys.map((k) => and(eq(inventoryUsers.accountId, k.accountId), eq(inventoryUsers.userName, k.userName)))))
      : Promise.resolve([]),
  ]);
  const facts = new Map(stored.map((r) => [`${r.accountId}/${r.userName}`, r]));
  return Promise.all(
    items.map(async ({ principal, consoleAccess, devices }) => {
      const key = `${principal.accountId}/${principal.userName}`;
      // Without categories nothing depends on path, tags or groups: skip the live read.
      const f = facts.get(key) ?? (categories.length ? await getIamUser(principal.accountId, principal.userName) : { path: '/', tags: {}, groups: [] });
      const resolve = (ds: typeof devices) =>
        resolveProgram({ accountId: principal.accountId, path: f.path, tags: f.tags, groups: f.groups, consoleAccess, devices: ds }, categories, decisions.get(key) ?? null, now, windows.get(key) ?? null);
      const status = resolve(devices);
      // A category that counts only certified keys: read the certifications of the user's security keys (their own page).
      const unread = (d: (typeof devices)[number]) => d.type === 'fido' && d.certifications === undefined && d.serial !== undefined;
      if (!status.requireCertifiedKey || !devices.some(unread)) return status;
      return resolve(
        await Promise.all(devices.map(async (d) => (unread(d) ? { ...d, certifications: await getFidoCertifications(principal.accountId, principal.userName, d.serial!) } : d))),
      );
    }),
  );
}

/** Null when the type is allowed; otherwise the message the member sees. */
export function deviceTypeRefusal(status: Pick<ProgramStatus, 'allowedDeviceTypes' | 'category'>, type: DeviceType): string | null {
  if (status.allowedDeviceTypes.includes(type)) return null;
  const where = status.category ? `The category “${status.category.name}”` : 'Your organisation’s MFA program';
  return `${where} does not allow ${/^[aeiou]/.test(deviceTypeNoun[type]) ? 'an' : 'a'} ${deviceTypeNoun[type]}. Allowed: ${allowedTypesText(status.allowedDeviceTypes)}.`;
}
