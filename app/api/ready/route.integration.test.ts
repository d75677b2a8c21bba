import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { setTestEnv } from '@/test-support/env';

setTestEnv({
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'unit-test-secret-with-at-least-32-chars',
  MFA_ACCOUNTS: '111111111111',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
});

// The route's database: one migrated (openDatabase applies every migration) or the same engine with nothing applied.
const state = vi.hoisted(() => ({ db: undefined as unknown }));
vi.mock('@/lib/db/client', async (importOriginal) => ({ ...(await importOriginal<object>()), getDb: async () => state.db }));

const { GET: ready } = await import('./route');
const { GET: health } = await import('../health/route');
const { proxy } = await import('@/proxy');
const { openDatabase } = await import('@/lib/db/client');

describe('/api/health and /api/ready', () => {
  const dirs: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-ready-'));
    dirs.push(dir);
    return dir;
  };
  let migrated: unknown;
  let unmigrated: unknown;
  beforeAll(async () => {
    const opened = await openDatabase(`pglite:${tempDir()}`);
    closers.push(() => opened.close());
    migrated = opened.db;
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const bare = new PGlite(tempDir());
    closers.push(() => bare.close());
    unmigrated = drizzle(bare);
  }, 120_000);
  afterAll(async () => {
    for (const close of closers) await close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('need no session: the proxy passes them on without a cookie', () => {
    for (const p of ['/api/health', '/api/ready']) {
      const response = proxy(new NextRequest(`http://127.0.0.1:3000${p}`));
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('x-middleware-next')).toBe('1');
    }
  });

  it('health answers 200 ok, not cached', async () => {
    const response = health();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('ready answers 200 on a migrated database, with counts only', async () => {
    state.db = migrated;
    const response = await ready(new Request('http://portal.test/api/ready'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json();
    expect(body).toEqual({ status: 'ready', database: 'ok', accounts: { total: 1, reachable: 0, unreachable: 0, unchecked: 1 } });
  });

  it('ready answers 503 when the database is not migrated', async () => {
    state.db = unmigrated;
    const response = await ready(new Request('http://portal.test/api/ready'));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', database: 'not-migrated', accounts: { total: 0, reachable: 0, unreachable: 0, unchecked: 0 } });
  });
});
