import { afterEach, describe, expect, it, vi } from 'vitest';
import { setTestEnv } from '@/test-support/env';
import { beginDraining, resetLifecycle } from './lifecycle';

setTestEnv({
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'unit-test-secret-with-at-least-32-chars',
  MFA_ACCOUNTS: '111111111111',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
});

// A draining process must refuse before it takes the lease: no database is reached at all.
const opened = vi.hoisted(() => ({ count: 0 }));
vi.mock('@/lib/db/client', () => ({
  getDb: async () => {
    opened.count++;
    throw new Error('no database in this unit test');
  },
}));

const { startRefresh } = await import('@/lib/inventory/refresh');

describe('a draining process', () => {
  afterEach(() => resetLifecycle());

  it('starts no inventory run, before touching the database', async () => {
    beginDraining();
    await expect(startRefresh({ actor: 'scheduler', trigger: 'schedule' })).rejects.toThrow(/shutting down/);
    expect(opened.count).toBe(0);
  });

  it('is not draining until the shutdown begins: the same start reaches the database', async () => {
    await expect(startRefresh({ actor: 'scheduler', trigger: 'schedule' })).rejects.toThrow(/no database/);
    expect(opened.count).toBe(1);
  });
});
