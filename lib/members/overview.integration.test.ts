import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '@/test-support/stack';
import type { GroundTruth } from '@/infra/local/ground-truth';
import { resetAwsClients } from '@/lib/aws/clients';
import type { Actor } from '@/lib/auth/types';
import { getDb } from '@/lib/db/client';
import { programCategories } from '@/lib/db/schema';
import { getMemberOverview } from './overview';

let truth: GroundTruth;
let endpoint: string;

async function faults(rules: unknown) {
  const res = await fetch(`${endpoint}/_local/faults`, { method: rules ? 'POST' : 'DELETE', body: rules ? JSON.stringify(rules) : undefined });
  expect(res.ok).toBe(true);
}

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  truth = groundTruth;
  endpoint = stack.env.AWS_ENDPOINT_URL!;
  resetAwsClients();
});

afterEach(() => faults(null));

function actorFor(email: string): Actor {
  const principals = truth.users.filter((u) => u.email === email).map((u) => ({ accountId: u.accountId, userName: u.userName, arn: u.arn }));
  return { id: email, email, name: email, method: 'oidc', roles: ['member'], principals, authTime: 0 };
}

describe('member overview against a misbehaving AWS', () => {
  it('retries throttling and still shows the truth', async () => {
    await faults({ action: 'ListMFADevices', kind: 'throttle', times: 2 });
    const users = await getMemberOverview(actorFor('grace@example.com'));
    const grace = truth.users.find((u) => u.userName === 'grace')!;
    expect(users).toHaveLength(1);
    expect(users[0]!.ok && users[0]!.devices.map((d) => d.serial).sort()).toEqual(grace.devices.map((d) => d.serial).sort());
  });

  it('explains a lasting AWS failure per IAM user instead of failing the page', async () => {
    await faults({ action: 'GetLoginProfile', kind: '5xx', times: 50 });
    const users = await getMemberOverview(actorFor('alice@example.com'));
    expect(users.length).toBeGreaterThan(1);
    for (const u of users) {
      expect(u.ok).toBe(false);
      if (!u.ok) expect(u.problem).toMatch(/AWS reported an internal error/);
    }
  });
});

describe('member overview with the program', () => {
  it('gives each IAM user its category, and counts only devices of allowed types', async () => {
    const before = await getMemberOverview(actorFor('grace@example.com'));
    expect(before[0]).toMatchObject({ ok: true, program: { category: null, allowedDeviceTypes: ['virtual', 'hardware', 'fido'], minDevices: 1 } });

    const grace = truth.users.find((u) => u.userName === 'grace')!;
    const deadline = new Date('2030-01-01T00:00:00Z');
    await (await getDb()).insert(programCategories).values({
      name: 'Hardware and a backup',
      position: 0,
      selectorKind: 'account',
      selectorValue: grace.accountId,
      defaultDecision: 'required',
      allowedDeviceTypes: ['hardware'],
      minDevices: 2,
      deadline,
      cohort: 'overview-test',
      updatedBy: 'overview.integration.test',
    });
    const [after] = await getMemberOverview(actorFor('grace@example.com'));
    if (!after?.ok || !after.program) throw new Error('expected the program');
    expect(after.program.category?.name).toBe('Hardware and a backup');
    expect(after.program.deadline).toEqual(deadline);
    expect(after.program.allowedDevices).toBe(grace.devices.filter((d) => d.type === 'hardware').length);
    expect(after.program.compliant).toBe(false);
  });
});
