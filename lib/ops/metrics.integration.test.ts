import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { useLocalStack } from '@/test-support/stack';
import type { GroundTruth } from '@/infra/local/ground-truth';
import { resetAwsClients } from '@/lib/aws/clients';
import { isAwsError } from '@/lib/aws/errors';
import { listAccountUsers } from '@/lib/aws/iam';
import { metrics, renderMetrics } from './metrics';

// Real calls through the portal's own clients against the local stack (moto behind the fidelity proxy, whose fault
// rules make IAM throttle), then the counters read back from the Prometheus text /api/metrics serves.
let truth: GroundTruth;
const faults = () => `${inject('stack').awsEndpoint}/_local/faults`;

beforeAll(async () => {
  truth = (await useLocalStack()).groundTruth;
  resetAwsClients();
});

afterEach(async () => {
  await fetch(faults(), { method: 'DELETE' });
});

/** The value of one sample line of the exposition, 0 when the series has no such sample. */
async function sample(name: string, labels: string): Promise<number> {
  const { body } = await renderMetrics();
  const line = body.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('AWS call metrics against the local stack', () => {
  it('counts AssumeRole and the IAM reads of a real listing as successes', async () => {
    metrics().registry.resetMetrics();
    const account = truth.accounts[0]!.id;
    await listAccountUsers(account);
    expect(await sample('mfa_portal_aws_calls_total', 'api="sts:AssumeRole",outcome="success"')).toBe(1);
    expect(await sample('mfa_portal_aws_calls_total', 'api="iam:GetAccountAuthorizationDetails",outcome="success"')).toBeGreaterThanOrEqual(1);
    expect(await sample('mfa_portal_aws_throttles_total', 'api="iam:GetAccountAuthorizationDetails"')).toBe(0);
  });

  it('counts throttled attempts that the SDK retried, and a call that stayed throttled', { timeout: 90_000 }, async () => {
    metrics().registry.resetMetrics();
    const account = truth.accounts[1]!.id;
    const { body: before } = await renderMetrics();
    expect(before).not.toContain('outcome="throttled"');
    // Throttled more often than the SDK's 5 attempts (baseClientConfig); the AssumeRole before it is not.
    expect((await fetch(faults(), { method: 'POST', body: JSON.stringify({ action: 'GetAccountAuthorizationDetails', kind: 'throttle', times: 100 }) })).ok).toBe(true);
    const error = await listAccountUsers(account).catch((e: unknown) => e);
    expect(isAwsError(error, 'Throttled')).toBe(true);
    const { body } = await renderMetrics();
    const throttledCalls = body.split('\n').filter((l) => l.startsWith('mfa_portal_aws_calls_total{') && l.includes('outcome="throttled"'));
    expect(throttledCalls).toEqual(['mfa_portal_aws_calls_total{api="iam:GetAccountAuthorizationDetails",outcome="throttled"} 1']);
    expect(await sample('mfa_portal_aws_throttles_total', 'api="iam:GetAccountAuthorizationDetails"')).toBe(5);
    expect(await sample('mfa_portal_aws_calls_total', 'api="sts:AssumeRole",outcome="success"')).toBe(1);
  });
});
