import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from '@/lib/auth/types';
import { setTestEnv } from '@/test-support/env';

// The freshness rule sits in front of every AWS call, so AWS and the database are stand-ins that record what was
// asked of them; the integration suite (audit.integration.test.ts) runs the real deactivation against the local stack.
setTestEnv({ NEXTAUTH_URL: 'http://127.0.0.1:3000', NEXTAUTH_SECRET: 'x'.repeat(32), MFA_ACCOUNTS: '111111111111', MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1' });
const calls = vi.hoisted(() => ({ aws: [] as string[], audit: [] as Record<string, unknown>[] }));
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
vi.mock('@/lib/aws/iam', () => ({
  listMfaDevices: async () => {
    calls.aws.push('ListMFADevices');
    return [{ serial: 'arn:aws:iam::111111111111:mfa/jane-phone', type: 'virtual', name: 'jane-phone', enabledAt: null }];
  },
  hasConsoleAccess: async () => true,
}));
vi.mock('@/lib/aws/mfa', () => ({
  deactivateMfaDevice: async () => void calls.aws.push('DeactivateMFADevice'),
  deleteVirtualMfaDevice: async () => void calls.aws.push('DeleteVirtualMFADevice'),
  getSessionTokenWithMfa: async () => undefined,
  resyncMfaDevice: async () => undefined,
}));
vi.mock('@/lib/audit/log', () => ({
  recordAudit: async (_db: unknown, row: Record<string, unknown>) => void calls.audit.push(row),
  auditedMutation: async (_audit: unknown, _op: string, fn: () => Promise<unknown>) => fn(),
}));
vi.mock('./freshness', () => ({ refreshStoredUser: async () => undefined }));
vi.mock('./events', () => ({ recordEvent: async () => undefined, stepAudit: () => ({}) }));

const { deactivateLostDevice } = await import('./admin');
const { REAUTH_MAX_AGE_SECONDS } = await import('./devices');

const NOW = 1_800_000_000;
const admin = (authTime: number): Actor => ({ id: 'admin@example.com', email: 'admin@example.com', name: 'Admin', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime });
const target = { accountId: '111111111111', userName: 'jane' };
const input = { serial: 'arn:aws:iam::111111111111:mfa/jane-phone', reason: 'phone lost on the train' };

beforeEach(() => {
  calls.aws = [];
  calls.audit = [];
});

describe('an admin deactivating someone else\'s device', () => {
  it('is refused without a sign-in in the last 5 minutes: no AWS call, the refusal audited', async () => {
    const result = await deactivateLostDevice(admin(NOW - REAUTH_MAX_AGE_SECONDS - 1), target, input, NOW);
    expect(result).toEqual({ status: 'error', code: 'ReauthRequired', message: expect.stringContaining('fresh sign-in (within the last 5 minutes)') });
    expect(calls.aws).toEqual([]);
    expect(calls.audit).toEqual([expect.objectContaining({ action: 'device.deactivate-lost', outcome: 'denied', detail: expect.objectContaining({ reason: 'ReauthRequired' }) })]);
  });

  it('goes ahead with a sign-in exactly 5 minutes old', async () => {
    const result = await deactivateLostDevice(admin(NOW - REAUTH_MAX_AGE_SECONDS), target, input, NOW);
    expect(result).toMatchObject({ status: 'success' });
    expect(calls.aws).toEqual(['ListMFADevices', 'DeactivateMFADevice', 'DeleteVirtualMFADevice']);
  });
});
