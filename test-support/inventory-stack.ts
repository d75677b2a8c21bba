import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { GroundTruth } from '@/infra/local/ground-truth';
import { resetAwsClients } from '@/lib/aws/clients';
import { startRefresh, waitForRun } from '@/lib/inventory/refresh';
import { useLocalStack as localStackWithFreshDatabase } from './stack';

/**
 * For inventory integration tests: the local stack with a fresh database (before all), the proxy's faults cleared
 * after each test, and the helpers those tests share. Read `gt` and `accountIds` inside tests (set in beforeAll).
 */
export function inventoryTestStack() {
  let endpoint = '';
  const state = { gt: undefined as unknown as GroundTruth, accountIds: [] as string[] };
  beforeAll(async () => {
    const { stack, groundTruth } = await localStackWithFreshDatabase();
    resetAwsClients();
    state.gt = groundTruth;
    endpoint = stack.awsEndpoint;
    state.accountIds = groundTruth.accounts.map((a) => a.id);
  });

  /** Replaces the proxy's fault rules (null: clears them; undefined: reads the active ones). */
  async function faults(rules: unknown): Promise<unknown[]> {
    const res = await fetch(`${endpoint}/_local/faults`, { method: rules === undefined ? 'GET' : rules ? 'POST' : 'DELETE', body: rules ? JSON.stringify(rules) : undefined });
    expect(res.ok).toBe(true);
    return rules === undefined ? ((await res.json()) as { rules: unknown[] }).rules : [];
  }
  afterEach(() => faults(null));
  afterAll(() => faults(null));

  /** Starts a run and waits for its end; throws when another run is going. */
  async function runToEnd(options: Parameters<typeof startRefresh>[1] = {}) {
    const started = await startRefresh({ actor: 'test', trigger: 'manual' }, options);
    if (!started.started) throw new Error(`a run is already going: ${started.runningRunId}`);
    return (await waitForRun(started.runId))!;
  }

  return { state, faults, runToEnd };
}
