import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddUserToGroupCommand, CreateGroupCommand, CreateUserCommand, type IAMClient, RemoveUserFromGroupCommand, TagUserCommand } from '@aws-sdk/client-iam';
import { consoleIam } from '@/infra/local/console';
import { ADMIN_GROUP, DEV_ACCOUNT, SECURITY_ACCOUNT } from '@/infra/local/organisation';
import type { GroundTruth } from '@/infra/local/ground-truth';
import { removeTestUser } from '@/test-support/iam-cleanup';
import { useLocalStack } from '@/test-support/stack';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { inventoryUsers } from '@/lib/db/schema';
import { startRefresh, waitForRun } from '@/lib/inventory/refresh';
import { identityForEmail } from './principals';

/**
 * Company sign-in through the inventory's email index (lib/inventory/email-index.ts), against the local stack. IAM
 * calls are counted in the fidelity proxy: one zero-latency rule per operation (and a catch-all), whose remaining
 * count drops by one for each request that passes.
 */
let truth: GroundTruth;
let motoUrl: string;
let endpoint: string;
const iam: Record<string, IAMClient> = {};
const created: { accountId: string; userName: string }[] = [];
const suffix = Math.random().toString(36).slice(2, 8);
const STALE_EMAIL = `idx-stale-${suffix}@example.com`;
const kept = { accountId: SECURITY_ACCOUNT, userName: `idx-kept-${suffix}` };
const retagged = { accountId: DEV_ACCOUNT, userName: `idx-retagged-${suffix}` };
const deleted = { accountId: DEV_ACCOUNT, userName: `idx-deleted-${suffix}` };

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  truth = groundTruth;
  motoUrl = stack.motoUrl;
  endpoint = groundTruth.endpoint;
  resetAwsClients();
  for (const accountId of [DEV_ACCOUNT, SECURITY_ACCOUNT]) iam[accountId] = await consoleIam({ motoUrl, accountId, groundTruth });
  for (const u of [kept, retagged, deleted]) {
    // Padded and in capitals: the index compares trimmed, lower-cased values, as the full scan does.
    await iam[u.accountId]!.send(new CreateUserCommand({ UserName: u.userName, Tags: [{ Key: 'email', Value: `  ${STALE_EMAIL.toUpperCase()} ` }] }));
    created.push(u);
  }
});

afterAll(async () => {
  await fetch(`${endpoint}/_local/faults`, { method: 'DELETE' });
  for (const u of created) await removeTestUser(iam[u.accountId]!, u.userName).catch(() => undefined);
});

const COUNTED = ['GetAccountAuthorizationDetails', 'GetUser', 'ListGroupsForUser', 'ListUserTags', 'AssumeRole'] as const;
const TRIPWIRE = 1000;

/** Runs `fn` and returns the AWS requests it made, by operation (`other` for the rest), and their total. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; calls: Record<string, number>; total: number }> {
  const rules = [...COUNTED, '*'].map((action) => ({ action, kind: 'latency', latencyMs: 0, times: TRIPWIRE }));
  expect((await fetch(`${endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify(rules) })).ok).toBe(true);
  const result = await fn();
  const { rules: left } = (await (await fetch(`${endpoint}/_local/faults`)).json()) as { rules: { action: string; times: number }[] };
  await fetch(`${endpoint}/_local/faults`, { method: 'DELETE' });
  const calls: Record<string, number> = {};
  for (const action of [...COUNTED, '*']) {
    const used = TRIPWIRE - (left.find((r) => r.action === action)?.times ?? 0);
    if (used > 0) calls[action === '*' ? 'other' : action] = used;
  }
  return { result, calls, total: Object.values(calls).reduce((a, b) => a + b, 0) };
}

const ownedBy = (email: string) =>
  truth.users
    .filter((u) => u.email?.toLowerCase() === email)
    .map((u) => ({ accountId: u.accountId, userName: u.userName, arn: u.arn }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName));

describe('before any inventory: the index is empty', () => {
  it('falls back to listing every user of every managed account', async () => {
    expect(await (await getDb()).select().from(inventoryUsers).limit(1)).toEqual([]);
    const { result, calls } = await counted(() => identityForEmail({ email: 'alice@example.com', groupsClaim: [] }));
    expect(result.principals).toEqual(ownedBy('alice@example.com'));
    expect(calls.GetAccountAuthorizationDetails).toBeGreaterThanOrEqual(truth.accounts.length);
    expect(calls.GetUser).toBeUndefined();
  });
});

describe('after an inventory: candidates from the index, confirmed live', () => {
  beforeAll(async () => {
    const started = await startRefresh({ actor: 'test', trigger: 'manual' });
    if (!started.started) throw new Error('an inventory run is already going');
    const run = await waitForRun(started.runId);
    expect(run?.status).toBe('succeeded');
  });

  it('reads one GetUser + ListGroupsForUser per principal, never a listing: at most 2 + 3 per principal', async () => {
    const { result, calls, total } = await counted(() => identityForEmail({ email: ' Alice@Example.com', groupsClaim: [] }));
    const principals = ownedBy('alice@example.com');
    expect(principals.length).toBeGreaterThan(1);
    expect(result.principals).toEqual(principals);
    expect(calls.GetAccountAuthorizationDetails).toBeUndefined();
    expect(calls.GetUser).toBe(principals.length);
    expect(calls.ListGroupsForUser).toBe(principals.length);
    expect(total).toBeLessThanOrEqual(2 + 3 * principals.length);
  });

  it('gives the same roles from the IAM groups as the full scan, read live', async () => {
    const carol = await counted(() => identityForEmail({ email: 'carol@example.com', groupsClaim: [] }));
    expect(carol.result.roles).toEqual(['member', 'admin']);
    expect(carol.calls.GetAccountAuthorizationDetails).toBeUndefined();
    const dave = await counted(() => identityForEmail({ email: 'dave@example.com', groupsClaim: [] }));
    expect(dave.result.roles).toEqual(['member', 'admin', 'security']);
    expect((await identityForEmail({ email: 'frank@example.com', groupsClaim: ['mfa-portal-admins'] })).roles).toEqual(['member', 'admin']);
    expect(await identityForEmail({ email: 'erin@example.com', groupsClaim: [] })).toMatchObject({ principals: [], roles: ['member'] });
  });

  it('drops a candidate whose tag no longer matches and one that no longer exists; keeps the rest', async () => {
    const before = await identityForEmail({ email: STALE_EMAIL, groupsClaim: [] });
    expect(before.principals.map((p) => p.userName).sort()).toEqual([kept.userName, retagged.userName, deleted.userName].sort());

    await iam[retagged.accountId]!.send(new TagUserCommand({ UserName: retagged.userName, Tags: [{ Key: 'email', Value: `someone-else-${suffix}@example.com` }] }));
    await removeTestUser(iam[deleted.accountId]!, deleted.userName);
    const { result, calls } = await counted(() => identityForEmail({ email: STALE_EMAIL, groupsClaim: [] }));
    expect(result.principals).toEqual([{ ...kept, arn: `arn:aws:iam::${kept.accountId}:user/${kept.userName}` }]);
    expect(calls.GetAccountAuthorizationDetails).toBeUndefined();
    expect(calls.GetUser).toBe(3);
  });

  it('takes group changes since the inventory into account, still only in the accounts whose groups grant roles', async () => {
    // The retagged user carries the email again; the index still lists them under it (no inventory since).
    await iam[DEV_ACCOUNT]!.send(new TagUserCommand({ UserName: retagged.userName, Tags: [{ Key: 'email', Value: STALE_EMAIL }] }));
    await iam[DEV_ACCOUNT]!.send(new CreateGroupCommand({ GroupName: ADMIN_GROUP })).catch((e: Error) => {
      if (e.name !== 'EntityAlreadyExists' && e.name !== 'EntityAlreadyExistsException') throw e;
    });
    await iam[DEV_ACCOUNT]!.send(new AddUserToGroupCommand({ GroupName: ADMIN_GROUP, UserName: retagged.userName }));
    try {
      // Development's admin group does not grant the role (MFA_ROLE_GROUPS_ACCOUNTS names the Security account).
      const devOnly = await identityForEmail({ email: STALE_EMAIL, groupsClaim: [] });
      expect(devOnly.principals.map((p) => p.userName).sort()).toEqual([kept.userName, retagged.userName].sort());
      expect(devOnly.roles).toEqual(['member']);
      await iam[SECURITY_ACCOUNT]!.send(new AddUserToGroupCommand({ GroupName: ADMIN_GROUP, UserName: kept.userName }));
      expect((await identityForEmail({ email: STALE_EMAIL, groupsClaim: [] })).roles).toEqual(['member', 'admin']);
    } finally {
      await iam[SECURITY_ACCOUNT]!.send(new RemoveUserFromGroupCommand({ GroupName: ADMIN_GROUP, UserName: kept.userName })).catch(() => undefined);
      await iam[DEV_ACCOUNT]!.send(new RemoveUserFromGroupCommand({ GroupName: ADMIN_GROUP, UserName: retagged.userName })).catch(() => undefined);
    }
  });
});
