import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { openDatabase, type Database, type Db } from '@/lib/db/client';
import { auditLog, portalSessions } from '@/lib/db/schema';
import type { PortalIdentity } from './types';
import { endSession, listSessionsFor, resolveSession, startSession, type Rederive, type SessionPolicy } from './sessions';

// A fresh embedded database of its own; AWS is not needed: re-derivation is injected here (principals.integration
// tests the real one against the local stack).
vi.mock('./principals', () => ({ rederiveIdentity: async () => { throw new Error('not used: tests inject rederive'); } }));

let dir: string;
let database: Database;
let db: Db;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-sessions-'));
  database = await openDatabase(`pglite:${dir}`);
  db = database.db;
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

const policy: SessionPolicy = { maxAgeSeconds: 8 * 3600, idleSeconds: 3600, rolesRefreshSeconds: 300 };
const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const carol: PortalIdentity = {
  id: 'carol@example.com',
  email: 'carol@example.com',
  name: 'Carol',
  method: 'oidc',
  roles: ['member', 'admin'],
  principals: [{ accountId: '111111111111', userName: 'carol', arn: 'arn:aws:iam::111111111111:user/carol' }],
};
const unchanged: Rederive = async (identity) => identity;

async function auditFor(id: string) {
  return db.select().from(auditLog).where(eq(auditLog.target, `session:${id}`)).orderBy(auditLog.seq);
}

describe('session rows', () => {
  it('a new session resolves to its person, and its start is audited', async () => {
    const { id, expiresAt } = await startSession(db, carol, { now: T0, policy });
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(expiresAt).toEqual(at(8 * 60));
    const actor = await resolveSession(db, id, { now: at(1), policy, rederive: unchanged });
    expect(actor).toMatchObject({ id: 'carol@example.com', roles: ['member', 'admin'], principals: carol.principals, authTime: T0.getTime() / 1000 });
    expect((await auditFor(id)).map((r) => [r.action, r.actor])).toEqual([['session.start', 'carol@example.com']]);
    expect(await resolveSession(db, 'no-such-session', { now: at(1), policy })).toBeNull();
  });

  it('sign-out ends the session: the same id (a replayed cookie) is refused afterwards, and the end is audited once', async () => {
    const { id } = await startSession(db, carol, { now: T0, policy });
    expect(await resolveSession(db, id, { now: at(2), policy, rederive: unchanged })).not.toBeNull();
    expect(await endSession(db, id, 'sign-out', 'carol@example.com', at(3))).toBe(true);
    expect(await endSession(db, id, 'sign-out', 'carol@example.com', at(4))).toBe(false);
    expect(await resolveSession(db, id, { now: at(4), policy, rederive: unchanged })).toBeNull();
    const [row] = await db.select().from(portalSessions).where(eq(portalSessions.id, id));
    expect(row).toMatchObject({ endedAt: at(3), endReason: 'sign-out' });
    expect((await auditFor(id)).map((r) => [r.action, r.detail])).toEqual([
      ['session.start', expect.anything()],
      ['session.end', { person: 'carol@example.com', reason: 'sign-out' }],
    ]);
  });

  it('an idle session ends after the idle timeout; use keeps it alive', async () => {
    const { id } = await startSession(db, carol, { now: T0, policy });
    expect(await resolveSession(db, id, { now: at(59), policy, rederive: unchanged })).not.toBeNull();
    // Last seen at minute 59: minute 118 is 59 minutes idle, minute 178 is 60.
    expect(await resolveSession(db, id, { now: at(118), policy, rederive: unchanged })).not.toBeNull();
    expect(await resolveSession(db, id, { now: at(178), policy, rederive: unchanged })).toBeNull();
    expect(await resolveSession(db, id, { now: at(179), policy, rederive: unchanged })).toBeNull();
    const [row] = await db.select().from(portalSessions).where(eq(portalSessions.id, id));
    expect(row).toMatchObject({ endedAt: at(178), endReason: 'idle' });
  });

  it('the absolute lifetime is never extended by use', async () => {
    const { id } = await startSession(db, carol, { now: T0, policy });
    for (let minute = 30; minute < 8 * 60; minute += 30) {
      expect(await resolveSession(db, id, { now: at(minute), policy, rederive: unchanged })).not.toBeNull();
    }
    const [before] = await db.select().from(portalSessions).where(eq(portalSessions.id, id));
    expect(before!.expiresAt).toEqual(at(8 * 60));
    expect(await resolveSession(db, id, { now: at(8 * 60), policy, rederive: unchanged })).toBeNull();
    const [row] = await db.select().from(portalSessions).where(eq(portalSessions.id, id));
    expect(row).toMatchObject({ endedAt: at(8 * 60), endReason: 'expired' });
  });

  it('roles are re-derived once the refresh interval has passed, and a change is audited', async () => {
    const { id } = await startSession(db, carol, { now: T0, policy, groupsClaim: ['staff'] });
    const calls: string[][] = [];
    let groupsNow: PortalIdentity['roles'] = ['member', 'admin'];
    const rederive: Rederive = async (identity, claim) => {
      calls.push([...claim]);
      return { ...identity, roles: groupsNow };
    };
    expect((await resolveSession(db, id, { now: at(4), policy, rederive }))!.roles).toEqual(['member', 'admin']);
    expect(calls).toEqual([]);
    // Carol is removed from the admin group: within the refresh interval she loses admin.
    groupsNow = ['member'];
    expect((await resolveSession(db, id, { now: at(5), policy, rederive }))!.roles).toEqual(['member']);
    expect(calls).toEqual([['staff']]);
    expect((await resolveSession(db, id, { now: at(6), policy, rederive }))!.roles).toEqual(['member']);
    expect(calls).toHaveLength(1);
    const changes = await db.select().from(auditLog).where(and(eq(auditLog.target, `session:${id}`), eq(auditLog.action, 'session.roles')));
    expect(changes.map((r) => r.detail)).toEqual([
      { person: 'carol@example.com', before: { roles: ['member', 'admin'], principals: [carol.principals[0]!.arn] }, after: { roles: ['member'], principals: [carol.principals[0]!.arn] } },
    ]);
  });

  it('when roles cannot be re-derived, the session keeps only the member role until they can', async () => {
    const { id } = await startSession(db, carol, { now: T0, policy });
    const failing: Rederive = async () => {
      throw new Error('AwsUnavailable');
    };
    expect((await resolveSession(db, id, { now: at(10), policy, rederive: failing }))!.roles).toEqual(['member']);
    expect((await resolveSession(db, id, { now: at(11), policy, rederive: unchanged }))!.roles).toEqual(['member', 'admin']);
  });

  it('lists a person\'s sessions, newest first, and an admin can end one', async () => {
    const dave: PortalIdentity = { ...carol, id: 'dave@example.com', email: 'dave@example.com', name: 'Dave' };
    const first = await startSession(db, dave, { now: at(1), policy });
    const second = await startSession(db, dave, { now: at(2), policy });
    expect((await listSessionsFor(db, 'dave@example.com')).map((s) => s.id)).toEqual([second.id, first.id]);
    expect(await endSession(db, first.id, 'ended-by-admin', 'erin@example.com', at(3))).toBe(true);
    expect(await resolveSession(db, first.id, { now: at(4), policy, rederive: unchanged })).toBeNull();
    expect(await resolveSession(db, second.id, { now: at(4), policy, rederive: unchanged })).not.toBeNull();
    const [end] = (await auditFor(first.id)).filter((r) => r.action === 'session.end');
    expect(end).toMatchObject({ actor: 'erin@example.com', detail: { person: 'dave@example.com', reason: 'ended-by-admin' } });
  });
});
