import { beforeAll, expect, it } from 'vitest';
import { useLocalStack } from '@/test-support/stack';
import { setTestEnv } from '@/test-support/env';
import { resetAwsClients } from '@/lib/aws/clients';
import { countedIam } from '@/lib/aws/inventory-sources';
import { startRefresh, waitForRun } from './refresh';

let accountIds: string[] = [];

beforeAll(async () => {
  const { groundTruth } = await useLocalStack();
  accountIds = groundTruth.accounts.map((a) => a.id);
  // Read once by lib/env on first use, which is in this file's own module graph.
  setTestEnv({ MFA_INVENTORY_PAGE_SIZE: '100' });
  resetAwsClients();
});

it('MFA_INVENTORY_PAGE_SIZE is the MaxItems of every bulk page a run asks for', async () => {
  const asked: { op: string; maxItems: unknown }[] = [];
  for (const id of accountIds)
    countedIam(id).middlewareStack.add(
      (next, context) => (args) => {
        const op = String(context.commandName ?? '');
        if (op === 'GetAccountAuthorizationDetailsCommand' || op === 'ListVirtualMFADevicesCommand')
          asked.push({ op, maxItems: (args.input as { MaxItems?: number }).MaxItems });
        return next(args);
      },
      { step: 'initialize', name: 'pageSizeProbe' },
    );
  const started = await startRefresh({ actor: 'test', trigger: 'manual' });
  if (!started.started) throw new Error('a run is already going');
  const run = (await waitForRun(started.runId))!;
  expect(run.status, run.error ?? '').toBe('succeeded');
  expect(asked.filter((a) => a.op === 'GetAccountAuthorizationDetailsCommand').length).toBeGreaterThanOrEqual(accountIds.length);
  expect(asked.filter((a) => a.op === 'ListVirtualMFADevicesCommand').length).toBeGreaterThanOrEqual(accountIds.length);
  expect(new Set(asked.map((a) => a.maxItems))).toEqual(new Set([100]));
});
