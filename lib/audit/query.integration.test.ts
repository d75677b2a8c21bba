import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { getDb, type Database } from '@/lib/db/client';
import { auditLog, type NewAuditEntry } from '@/lib/db/schema';
import { ForbiddenError } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { parseAuditFilters, type AuditFilters } from './filters';
import { allAuditEntries, listAuditActions, listAuditPage } from './query';

// A fresh embedded database of its own (the log is append-only, so no test can clean up after itself);
// nothing here needs the AWS stack or the portal's configuration.
const db = vi.hoisted(() => ({ dir: '', opened: undefined as Promise<Database> | undefined }));
vi.mock('@/lib/db/client', async (importOriginal) => {
  const original = await importOriginal<typeof import('@/lib/db/client')>();
  return { ...original, getDb: async () => (await (db.opened ??= original.openDatabase(`pglite:${db.dir}`))).db };
});

const admin: Actor = { id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
const member: Actor = { ...admin, id: 'alice@example.com', email: 'alice@example.com', name: 'Alice', roles: ['member'] };

const entries: (NewAuditEntry & { key: string })[] = [
  { key: 'carol-in', at: new Date('2024-03-01T00:00:00.000Z'), actor: 'carol@example.com', action: 'auth.sign-in', outcome: 'success', detail: { method: 'oidc' } },
  { key: 'alice-failed', at: new Date('2024-03-01T23:59:59.999Z'), actor: 'Alice@Example.com', action: 'auth.sign-in', outcome: 'failure', detail: { reason: 'WrongPassword' } },
  { key: 'category', at: new Date('2024-03-02T00:00:00.000Z'), actor: 'carol@example.com', action: 'program.category.create', target: 'category:contractors', outcome: 'success', detail: { before: null, after: { name: 'Contractors' } } },
  { key: 'settings', at: new Date('2024-03-02T12:00:00.000Z'), actor: 'frank@example.com', action: 'program.settings.update', target: 'reminder-days', outcome: 'success', detail: { before: { reminderDays: [7] }, after: { reminderDays: [7, 1] } } },
  { key: 'programme', at: new Date('2024-03-02T13:00:00.000Z'), actor: 'frank@example.com', action: 'programme.update', outcome: 'success' },
  { key: 'keys-denied', at: new Date('2024-03-03T00:00:00.000Z'), actor: 'access-key:AKIAEXAMPLE', action: 'auth.sign-in', target: 'arn:aws:iam::111111111111:user/a_b', outcome: 'denied' },
  { key: 'underscore-lookalike', at: new Date('2024-03-03T01:00:00.000Z'), actor: 'sys%tem', action: 'enrollment.sweep', target: 'arn:aws:iam::111111111111:user/axb', outcome: 'failure' },
  { key: 'before-range', at: new Date('2024-02-29T23:59:59.999Z'), actor: 'carol@example.com', action: 'inventory.export', outcome: 'success' },
  { key: 'after-range', at: new Date('2024-03-04T00:00:00.000Z'), actor: 'carol@example.com', action: 'inventory.export', outcome: 'success' },
];
const ids = new Map<string, number>();

beforeAll(async () => {
  db.dir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-audit-'));
  const conn = await getDb();
  // Shuffled on purpose: the order of the results must come from `at`, not from insertion.
  for (const { key, ...e } of [...entries].reverse()) {
    const [row] = await conn.insert(auditLog).values(e).returning({ id: auditLog.id });
    ids.set(key, row!.id);
  }
});

afterAll(async () => {
  await (await db.opened)?.close();
  rmSync(db.dir, { recursive: true, force: true });
});

const keysOf = (rows: { id: number }[]) => rows.map((r) => [...ids].find(([, id]) => id === r.id)?.[0] ?? `#${r.id}`);
const page = async (params: Record<string, string>) => {
  const { rows, total } = await listAuditPage(admin, parseAuditFilters(params));
  return { keys: keysOf(rows), total };
};

/** Filters as the query receives them, without the form's parsing (which refuses actions outside AUDIT_ACTIONS). */
const unparsed = async (f: Partial<AuditFilters>) => {
  const { rows, total } = await listAuditPage(admin, { ...parseAuditFilters({}), ...f });
  return { keys: keysOf(rows), total };
};

describe('listAuditPage', () => {
  it('lists everything newest first', async () => {
    expect(await page({})).toEqual({
      keys: ['after-range', 'underscore-lookalike', 'keys-denied', 'programme', 'settings', 'category', 'alice-failed', 'carol-in', 'before-range'],
      total: entries.length,
    });
  });

  it('filters by exact action', async () => {
    expect(await page({ action: 'auth.sign-in' })).toEqual({ keys: ['keys-denied', 'alice-failed', 'carol-in'], total: 3 });
    // The form offers only the typed actions; the query itself still matches exactly, not by prefix.
    expect(await unparsed({ action: 'auth' })).toEqual({ keys: [], total: 0 });
  });

  it('filters by action prefix, without matching a longer first word', async () => {
    expect(await page({ action: 'program.*' })).toEqual({ keys: ['settings', 'category'], total: 2 });
    expect(await page({ action: 'program.settings.*' })).toEqual({ keys: ['settings'], total: 1 });
    expect(await unparsed({ action: 'programme.*' })).toEqual({ keys: ['programme'], total: 1 });
  });

  it('filters by actor, case-insensitively and by part', async () => {
    expect(await page({ actor: 'ALICE' })).toEqual({ keys: ['alice-failed'], total: 1 });
    expect((await page({ actor: 'example.com' })).total).toBe(7);
  });

  it('matches % and _ literally', async () => {
    expect(await page({ actor: '%' })).toEqual({ keys: ['underscore-lookalike'], total: 1 });
    expect(await page({ target: 'user/a_b' })).toEqual({ keys: ['keys-denied'], total: 1 });
    expect(await page({ target: '_' })).toEqual({ keys: ['keys-denied'], total: 1 });
  });

  it('filters by target', async () => {
    expect(await page({ target: 'contractors' })).toEqual({ keys: ['category'], total: 1 });
    expect(await page({ target: '111111111111' })).toEqual({ keys: ['underscore-lookalike', 'keys-denied'], total: 2 });
  });

  it('filters by outcome', async () => {
    expect(await page({ outcome: 'failure' })).toEqual({ keys: ['underscore-lookalike', 'alice-failed'], total: 2 });
    expect(await page({ outcome: 'denied' })).toEqual({ keys: ['keys-denied'], total: 1 });
  });

  it('includes both ends of the date range, whole UTC days', async () => {
    expect(await page({ from: '2024-03-01', to: '2024-03-03' })).toEqual({
      keys: ['underscore-lookalike', 'keys-denied', 'programme', 'settings', 'category', 'alice-failed', 'carol-in'],
      total: 7,
    });
    expect(await page({ from: '2024-03-01', to: '2024-03-01' })).toEqual({ keys: ['alice-failed', 'carol-in'], total: 2 });
    expect(await page({ from: '2024-03-04' })).toEqual({ keys: ['after-range'], total: 1 });
    expect(await page({ to: '2024-02-29' })).toEqual({ keys: ['before-range'], total: 1 });
    expect(await page({ from: '2024-03-02', to: '2024-03-01' })).toEqual({ keys: [], total: 0 });
  });

  it('combines filters', async () => {
    expect(await page({ action: 'auth.sign-in', actor: 'example.com', outcome: 'success', from: '2024-03-01', to: '2024-03-01' })).toEqual({ keys: ['carol-in'], total: 1 });
  });

  it('pages, with the total of every page', async () => {
    const all = (await page({})).keys;
    // The URL allows pages of 10 or more; the query itself takes any size.
    const keysOnPage = async (p: number, extra: Partial<Parameters<typeof listAuditPage>[1]> = {}) => {
      const { rows, total } = await listAuditPage(admin, { page: p, pageSize: 4, ...extra });
      return { keys: keysOf(rows), total };
    };
    expect([await keysOnPage(1), await keysOnPage(2), await keysOnPage(3), await keysOnPage(4)]).toEqual([
      { keys: all.slice(0, 4), total: 9 },
      { keys: all.slice(4, 8), total: 9 },
      { keys: all.slice(8), total: 9 },
      { keys: [], total: 9 },
    ]);
    expect(await keysOnPage(1, { pageSize: 2, action: 'auth.sign-in' })).toEqual({ keys: ['keys-denied', 'alice-failed'], total: 3 });
    expect(await keysOnPage(2, { pageSize: 2, action: 'auth.sign-in' })).toEqual({ keys: ['carol-in'], total: 3 });
  });
});

describe('allAuditEntries', () => {
  it('yields every matching entry once, newest first, in batches', async () => {
    const batches: string[][] = [];
    for await (const rows of allAuditEntries(admin, parseAuditFilters({ from: '2024-03-01', to: '2024-03-03' }), 3)) batches.push(keysOf(rows));
    expect(batches).toEqual([
      ['underscore-lookalike', 'keys-denied', 'programme'],
      ['settings', 'category', 'alice-failed'],
      ['carol-in'],
    ]);
  });

  it('keeps its place across entries that share a millisecond or a whole timestamp', async () => {
    const conn = await getDb();
    const action = 'test.same-millisecond';
    const at = (micro: string) => sql`${`2024-06-01T00:00:00.000${micro}Z`}::timestamptz`;
    for (const micro of ['100', '300', '300', '200', '999', '300', '000']) await conn.insert(auditLog).values({ at: at(micro), actor: 'x', action, outcome: 'success' });
    const expected = (await listAuditPage(admin, { action, page: 1, pageSize: 50 })).rows.map((r) => r.id);
    expect(expected).toHaveLength(7);
    for (const size of [1, 2, 3, 7]) {
      const seen: number[] = [];
      for await (const rows of allAuditEntries(admin, { action }, size)) seen.push(...rows.map((r) => r.id));
      expect(seen, `batch of ${size}`).toEqual(expected);
    }
  });
});

describe('listAuditActions', () => {
  it('lists each action once, sorted', async () => {
    const actions = await listAuditActions(admin);
    expect(actions).toEqual([...new Set(actions)].sort());
    expect(actions).toEqual(expect.arrayContaining(['auth.sign-in', 'enrollment.sweep', 'inventory.export', 'program.category.create', 'program.settings.update', 'programme.update']));
  });
});

describe('a member', () => {
  it('is refused every read of the audit log', async () => {
    await expect(listAuditPage(member, parseAuditFilters({}))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(allAuditEntries(member, {}).next()).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listAuditActions(member)).rejects.toThrow(/the audit log needs the admin role/);
  });
});
