import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest, NextResponse } from 'next/server';
import { sql } from 'drizzle-orm';
import type { Actor, Role } from '@/lib/auth/types';
import type { Database } from '@/lib/db/client';
import { setTestEnv } from '@/test-support/env';
import { MAX_DB_ID } from '@/lib/actions/params';

// Hostile input, generated: every server action and every route handler is called in-process, as a public endpoint
// would be, with bodies that are not form data, fields carrying NUL bytes, huge, negative and fractional numbers,
// unknown fields, long strings and odd unicode, under every role. Nothing may throw (a thrown error is Next's 500),
// every answer is a 4xx or a typed result, and the database (a real PGlite, migrated) is unchanged but for the audit
// entries that refusals and exports are meant to write.
//
// Actions: the wrapper, authorization and each action's own schema are the real ones; the handler behind them is a
// probe (domain code would need AWS). An input that reaches the probe has passed every check, so it must be one the
// handler can take to the database: no NUL byte in a string, no number beyond the integer column.
const CRON_SECRET = 'fuzz-cron-secret-that-no-generator-produces';
setTestEnv({
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'unit-test-secret-with-at-least-32-chars',
  MFA_ACCOUNTS: '111111111111,222222222222',
  MFA_ROLE_GROUPS_ACCOUNTS: '222222222222',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
  MFA_CRON_SECRET: CRON_SECRET,
});

const probe = vi.hoisted(() => {
  class ReachedHandler extends Error {
    constructor(readonly input: unknown) {
      super('reached its handler');
    }
  }
  return { ReachedHandler };
});
const state = vi.hoisted(() => ({ actor: null as Actor | null, database: null as Database | null }));
vi.mock('@/lib/auth/session', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/auth/session')>();
  return {
    ...real,
    getActor: async () => state.actor,
    authorizeRequest: async (_request: unknown, role: Role = 'member') => {
      const { hasRole } = await import('@/lib/auth/roles');
      if (!state.actor) return { response: NextResponse.json({ error: 'Sign in required' }, { status: 401 }) };
      if (!hasRole(state.actor.roles, role)) return { response: NextResponse.json({ error: 'Forbidden' }, { status: 403 }) };
      return { actor: state.actor };
    },
  };
});
vi.mock('@/lib/db/client', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/db/client')>();
  return { ...real, getDb: async () => state.database!.db, getDatabase: async () => state.database! };
});
vi.mock('@/lib/actions/define-action', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/actions/define-action')>();
  const defineAction: typeof real.defineAction = (opts) =>
    real.defineAction(opts, async (_actor, input) => {
      throw new probe.ReachedHandler(input);
    });
  return { defineAction };
});

const actorWith = (roles: Role[]): Actor => ({ id: `${roles.at(-1)}@example.com`, email: `${roles.at(-1)}@example.com`, name: 'Fuzz', method: 'oidc', roles, principals: [], authTime: 0 });
const ACTORS: (Actor | null)[] = [null, actorWith(['member']), actorWith(['member', 'admin']), actorWith(['member', 'admin', 'security'])];

type AnyAction = (prev: unknown, body: unknown) => Promise<unknown>;
// Every actions.ts under app/, found by walking the tree: a new route's actions are fuzzed without editing this list.
const APP_DIR = path.dirname(fileURLToPath(import.meta.url));
const ACTION_FILES = (readdirSync(APP_DIR, { recursive: true }) as string[]).filter((f) => path.basename(f) === 'actions.ts').sort();
const MODULES = ACTION_FILES.map((f) => () => import(/* @vite-ignore */ path.join(APP_DIR, f)) as Promise<Record<string, unknown>>);

// Field names the actions read, so that generated forms get past "missing field" often enough to test the values.
const FIELDS = [
  'accountId', 'userName', 'serial', 'code', 'code1', 'code2', 'accessKeyId', 'secretAccessKey', 'principal', 'reason', 'outcome', 'errorSeen',
  'utcOffsetMinutes', 'deviceTime', 'versionId', 'runId', 'id', 'name', 'cohort', 'csv', 'filters', 'expected', 'decision', 'level', 'justification',
  'verdict', 'note', 'categoryId', 'expiresAt', 'selector', 'days', 'direction', 'q', 'page', 'status', 'type', 'setupId', 'confirm', 'baseline',
];
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\t', '\r\n', '=cmd', '＝1', '-1', '0', '1e30', '9'.repeat(40), '-99999999999', '1.5', 'NaN', 'Infinity',
    String(MAX_DB_ID + 1), '111111111111', 'jane.doe', 'arn:aws:iam::111111111111:mfa/x', '123456', '%00', '../../etc/passwd', '<script>', '{}', '[]', 'true'),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
  fc.string({ minLength: 2000, maxLength: 5000 }),
);
const fieldName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
const formBody = fc.array(fc.tuple(fieldName, hostileString, fc.boolean()), { maxLength: 10 }).map((entries) => {
  const fd = new FormData();
  for (const [k, v, asFile] of entries) fd.append(k, asFile ? new Blob([v]) : v);
  return fd;
});
const notFormBody = fc.oneof(fc.anything(), fc.string(), fc.constant(undefined), fc.constant(null), hostileString.map((s) => new URLSearchParams({ code: s })));
const anyBody = fc.oneof({ weight: 3, arbitrary: formBody }, { weight: 1, arbitrary: notFormBody });

/** Every string in a handler's input is storable, every number fits the integer column. */
function storable(value: unknown): boolean {
  if (typeof value === 'string') return !value.includes('\u0000');
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= MAX_DB_ID;
  if (Array.isArray(value)) return value.every(storable);
  if (value && typeof value === 'object') return Object.values(value).every(storable);
  return true;
}

const EXPORT_AUDITS = ['inventory.export', 'audit.export', 'report.export', 'campaign.export'];
/** The database's content, but for audit entries that record a refusal or an export (both meant to be written). */
async function snapshot(): Promise<Record<string, number>> {
  const db = state.database!.db;
  const tables = (await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)) as unknown as {
    rows: { table_name: string }[];
  };
  const counts: Record<string, number> = {};
  for (const { table_name: t } of tables.rows) {
    const where = t === 'audit_log' ? sql` where outcome <> 'denied' and action not in (${sql.join(EXPORT_AUDITS.map((a) => sql`${a}`), sql`, `)})` : sql``;
    const res = (await db.execute(sql`select count(*)::int as n from ${sql.identifier(t)}${where}`)) as unknown as { rows: { n: number }[] };
    counts[t] = res.rows[0]!.n;
  }
  return counts;
}

let dir: string;
const counted = { requests: 0 };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mfa-fuzz-'));
  const { openDatabase } = await vi.importActual<typeof import('@/lib/db/client')>('@/lib/db/client');
  state.database = await openDatabase(`pglite:${dir}`);
}, 120_000);

afterAll(async () => {
  await state.database?.close();
  rmSync(dir, { recursive: true, force: true });
  // The issue asks for at least 10,000 generated requests per run across actions and route handlers.
  expect(counted.requests).toBeGreaterThanOrEqual(10_000);
});

describe('hostile input gets a calm answer', () => {
  it('every server action answers any body, under any role, with a typed result and changes nothing', async () => {
    const actions: [string, AnyAction][] = [];
    for (const load of MODULES) for (const [name, fn] of Object.entries(await load())) if (typeof fn === 'function') actions.push([name, fn as AnyAction]);
    expect(actions.length).toBeGreaterThanOrEqual(30);
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...actions), fc.constantFrom(...ACTORS), anyBody, async ([name, action], actor, body) => {
        counted.requests++;
        state.actor = actor;
        let result: unknown;
        try {
          result = await action({ status: 'idle' }, body);
        } catch (error) {
          if (!(error instanceof probe.ReachedHandler)) throw error;
          expect(body, `${name} reached its handler without form data`).toBeInstanceOf(FormData);
          expect(actor, `${name} reached its handler without a session`).not.toBeNull();
          expect(storable(error.input), `${name} let unstorable input through: ${JSON.stringify(error.input)}`).toBe(true);
          return;
        }
        expect(result, name).toMatchObject({ status: expect.stringMatching(/^(error|invalid)$/) });
        if (!(body instanceof FormData)) expect(result, name).toMatchObject({ code: 'MalformedRequest' });
      }),
      { numRuns: 8_000 },
    );
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  const ROUTES = {
    inventoryExport: async (search: string) => (await import('./api/admin/inventory/export/route')).GET(new NextRequest(`http://127.0.0.1:3000/api/admin/inventory/export?${search}`)),
    auditExport: async (search: string) => (await import('./api/admin/audit/export/route')).GET(new NextRequest(`http://127.0.0.1:3000/api/admin/audit/export?${search}`)),
    campaignExport: async (search: string) => (await import('./api/admin/campaign/export/route')).GET(new NextRequest(`http://127.0.0.1:3000/api/admin/campaign/export?${search}`)),
    report: async (search: string, segment: string) =>
      (await import('./api/admin/report/[id]/route')).GET(new NextRequest(`http://127.0.0.1:3000/api/admin/report/x?${search}`), { params: Promise.resolve({ id: segment }) }),
  };
  const search = fc
    .array(fc.tuple(fc.oneof(fc.constantFrom('format', 'q', 'account', 'page', 'pageSize', 'sort', 'dir', 'category', 'from', 'to', 'actor', 'action', 'outcome', 'tagValue'), fc.string({ maxLength: 8 })), hostileString.filter((s) => s.length < 600)), { maxLength: 6 })
    .map((pairs) => new URLSearchParams(pairs).toString());

  it('every route handler answers hostile parameters with a 2xx or 4xx, never a 5xx, and changes nothing', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...(Object.keys(ROUTES) as (keyof typeof ROUTES)[])), fc.constantFrom(...ACTORS), search, hostileString, async (route, actor, query, segment) => {
        counted.requests++;
        state.actor = actor;
        const res = await ROUTES[route](query, segment);
        expect(res.status, `${route}?${query} [${segment}]`).toBeLessThan(500);
        // A streamed export fails while streaming, after the status: read it to the end.
        await res.arrayBuffer();
      }),
      { numRuns: 1_200 },
    );
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('the scheduled-job routes refuse any forged bearer token or non-admin session and run nothing', async () => {
    const cron = [
      (await import('./api/cron/inventory/route')).POST,
      (await import('./api/cron/reminders/route')).POST,
      (await import('./api/cron/sweep-leftovers/route')).POST,
      (await import('./api/cron/events/route')).POST,
      (await import('./api/cron/windows/route')).POST,
      (await import('./api/cron/campaign-digest/route')).POST,
    ];
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.nat(cron.length - 1), fc.constantFrom<Actor | null>(null, ACTORS[1]!), fc.oneof(fc.string(), hostileString.map((s) => `Bearer ${s}`)), async (i, actor, authorization) => {
        counted.requests++;
        state.actor = actor;
        const headers = new Headers();
        try {
          headers.set('authorization', authorization);
        } catch {
          // A header value a client could not send at all.
        }
        const res = await cron[i]!(new NextRequest('http://127.0.0.1:3000/api/cron/x', { method: 'POST', headers }));
        expect([401, 403]).toContain(res.status);
      }),
      { numRuns: 1_000 },
    );
    expect(await snapshot()).toEqual(before);
  }, 60_000);
});
