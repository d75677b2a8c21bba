import { beforeAll, describe, expect, it } from 'vitest';
import { ROLELESS_ACCOUNT } from '@/infra/local/aws-organization';
import { DEV_ACCOUNT, PROD_ACCOUNT, SECURITY_ACCOUNT } from '@/infra/local/organisation';
import type { Actor } from '@/lib/auth/types';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { managedAccounts } from '@/lib/db/schema';
import { startRefresh, waitForRun } from '@/lib/inventory/refresh';
import { setTestEnv } from '@/test-support/env';
import { useLocalStack } from '@/test-support/stack';
import { listManagedAccounts } from './registry';
import { getAccountsState } from './status';

/** The static source (MFA_ACCOUNTS) listing an account without the member role, against the local stack. */
beforeAll(async () => {
  const { stack } = await useLocalStack();
  setTestEnv({ MFA_ACCOUNTS: `${stack.env.MFA_ACCOUNTS},${ROLELESS_ACCOUNT.id}:Analytics` });
  resetAwsClients();
});

const admin: Actor = { id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };

describe('accounts from MFA_ACCOUNTS (local stack)', () => {
  it('each run records the listed accounts and which could be read; the role-less one is unreachable, not 0 users', async () => {
    expect((await listManagedAccounts()).map((a) => a.id)).toEqual([PROD_ACCOUNT, DEV_ACCOUNT, SECURITY_ACCOUNT, ROLELESS_ACCOUNT.id]);
    const started = await startRefresh({ actor: 'test', trigger: 'manual' });
    if (!started.started) throw new Error('a run is already going');
    const run = (await waitForRun(started.runId))!;
    expect(run.status).toBe('partial');
    const rows = await (await getDb()).select().from(managedAccounts).orderBy(managedAccounts.accountId);
    expect(rows.map((r) => [r.accountId, r.name, r.source, r.status, r.reachable])).toEqual([
      [PROD_ACCOUNT, 'Production', 'static', 'managed', true],
      [DEV_ACCOUNT, 'Development', 'static', 'managed', true],
      [SECURITY_ACCOUNT, 'Security', 'static', 'managed', true],
      [ROLELESS_ACCOUNT.id, 'Analytics', 'static', 'managed', false],
    ]);
    const { unreachable } = await getAccountsState(admin);
    expect(unreachable.map((u) => [u.id, u.label])).toEqual([[ROLELESS_ACCOUNT.id, 'Analytics']]);
    expect(unreachable[0]!.reason).toMatch(/^AccessDenied/);
  });
});
