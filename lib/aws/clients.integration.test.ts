import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '@/test-support/stack';
import type { GroundTruth } from '@/infra/local/ground-truth';
import { accountCredentials, resetAwsClients } from './clients';
import { isAwsError } from './errors';
import { getAccountAlias, hasConsoleAccess, listAccountUsers, listMfaDevices } from './iam';

let truth: GroundTruth;

beforeAll(async () => {
  truth = (await useLocalStack()).groundTruth;
  resetAwsClients();
});

describe('assumed-role clients', () => {
  it('reach each of the three accounts and see only that account\'s users', async () => {
    expect(truth.accounts).toHaveLength(3);
    for (const account of truth.accounts) {
      const users = await listAccountUsers(account.id);
      const expected = truth.users.filter((u) => u.accountId === account.id).map((u) => u.userName).sort();
      expect(users.map((u) => u.userName).sort()).toEqual(expected);
      expect(users.every((u) => u.accountId === account.id && u.arn.startsWith(`arn:aws:iam::${account.id}:user/`))).toBe(true);
      expect(await getAccountAlias(account.id)).toBe(account.alias);
    }
  });

  it('returns tags and groups from the bulk call', async () => {
    const carol = truth.users.find((u) => u.userName === 'carol')!;
    const users = await listAccountUsers(carol.accountId);
    const found = users.find((u) => u.userName === 'carol')!;
    expect(found.tags).toEqual(carol.tags);
    expect(found.groups.sort()).toEqual([...carol.groups].sort());
  });

  it('reads console access and devices per user as the ground truth says', async () => {
    const sample = truth.users.filter((_, i) => i % 7 === 0);
    for (const u of sample) {
      expect(await hasConsoleAccess(u.accountId, u.userName)).toBe(u.consoleAccess);
      const devices = await listMfaDevices(u.accountId, u.userName);
      expect(devices.map((d) => [d.serial, d.type]).sort()).toEqual(u.devices.map((d) => [d.serial, d.type]).sort());
    }
  });

  it('caches role credentials until shortly before expiry', async () => {
    const first = await accountCredentials(truth.accounts[0]!.id);
    const again = await accountCredentials(truth.accounts[0]!.id);
    expect(again).toBe(first);
    expect(first.expiration!.getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
  });

  it('refuses an account the portal does not manage, without calling AWS', async () => {
    const error = await accountCredentials('999999999999').catch((e: unknown) => e);
    expect(isAwsError(error, 'AccessDenied')).toBe(true);
  });

  it('maps a missing IAM user to NoSuchEntity', async () => {
    const error = await listMfaDevices(truth.accounts[0]!.id, 'no-such-user-here').catch((e: unknown) => e);
    expect(isAwsError(error, 'NoSuchEntity')).toBe(true);
  });
});
