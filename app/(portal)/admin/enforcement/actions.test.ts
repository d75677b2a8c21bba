import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor, Role } from '@/lib/auth/types';

// The enforcement actions as public endpoints: who may call them, what they accept before any AWS call, and when
// they refresh the page. The domain functions are stand-ins here; their behaviour is tested against the local stack.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
const domain = vi.hoisted(() => ({
  deployEnforcement: vi.fn(),
  rollbackEnforcement: vi.fn(),
  setDefaultCohort: vi.fn(),
  applyTagDrift: vi.fn(),
  revalidatePath: vi.fn(),
}));
vi.mock('@/lib/auth/session', () => ({ getActor: async () => session.actor }));
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
vi.mock('@/lib/audit/log', () => ({ recordAudit: async () => undefined }));
vi.mock('next/cache', () => ({ revalidatePath: domain.revalidatePath }));
vi.mock('@/lib/enforcement/deploy', () => ({ deployEnforcement: domain.deployEnforcement }));
vi.mock('@/lib/enforcement/rollback', () => ({ rollbackEnforcement: domain.rollbackEnforcement }));
vi.mock('@/lib/enforcement/program', () => ({ setDefaultCohort: domain.setDefaultCohort }));
vi.mock('@/lib/enforcement/tags', () => ({ applyTagDrift: domain.applyTagDrift }));

const { applyTagsAction, deployEnforcementAction, rollbackEnforcementAction, setDefaultCohortAction } = await import('./actions');

const actorWith = (roles: Role[]): Actor => ({ id: 'dave@example.com', email: 'dave@example.com', name: 'Dave', method: 'oidc', roles, principals: [], authTime: 0 });
const security = actorWith(['member', 'admin', 'security']);
const form = (fields: Record<string, string>) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  return fd;
};
const idle = { status: 'idle' } as const;
const success = { status: 'success', data: null } as const;

beforeEach(() => {
  session.actor = security;
  for (const fn of Object.values(domain)) fn.mockReset();
});

describe('enforcement actions', () => {
  const calls = [
    () => deployEnforcementAction(idle, form({ hash: '0123456789abcdef' })),
    () => rollbackEnforcementAction(idle, form({ accountId: '222222222222', versionId: 'v1' })),
    () => setDefaultCohortAction(idle, form({ cohort: '' })),
    () => applyTagsAction(idle, form({ expected: 'aaaaaaaaaaaaaaaa' })),
  ];

  it('refuse a request without a session, and an admin who is not in the security team, before any domain call', async () => {
    for (const actor of [null, actorWith(['member']), actorWith(['member', 'admin'])]) {
      session.actor = actor;
      for (const call of calls) expect(await call()).toMatchObject({ status: 'error', code: actor ? 'Forbidden' : 'Unauthenticated' });
    }
    for (const fn of Object.values(domain)) expect(fn).not.toHaveBeenCalled();
  });

  it('validate every field before any domain call', async () => {
    expect(await deployEnforcementAction(idle, form({ hash: 'not-a-hash' }))).toMatchObject({ status: 'invalid', fieldErrors: { hash: [expect.any(String)] } });
    expect(await deployEnforcementAction(idle, form({}))).toMatchObject({ status: 'invalid' });
    expect(await rollbackEnforcementAction(idle, form({ accountId: '2222', versionId: 'latest' }))).toMatchObject({
      status: 'invalid',
      fieldErrors: { accountId: ['An AWS account id has 12 digits.'], versionId: ['A policy version looks like v3.'] },
    });
    expect(await setDefaultCohortAction(idle, form({ cohort: 'Not A Cohort!' }))).toMatchObject({ status: 'invalid', fieldErrors: { cohort: [expect.any(String)] } });
    expect(await applyTagsAction(idle, form({ expected: 'ABC' }))).toMatchObject({ status: 'invalid', fieldErrors: { expected: [expect.any(String)] } });
    expect(await applyTagsAction(idle, form({ expected: 'two' }))).toMatchObject({ status: 'invalid' });
    for (const fn of Object.values(domain)) expect(fn).not.toHaveBeenCalled();
  });

  it('pass the parsed input and the session’s actor to the domain, and refresh the page on success', async () => {
    domain.deployEnforcement.mockResolvedValue(success);
    domain.rollbackEnforcement.mockResolvedValue(success);
    domain.setDefaultCohort.mockResolvedValue(success);
    domain.applyTagDrift.mockResolvedValue(success);
    await deployEnforcementAction(idle, form({ hash: '0123456789abcdef' }));
    expect(domain.deployEnforcement).toHaveBeenCalledWith(security, '0123456789abcdef');
    await rollbackEnforcementAction(idle, form({ accountId: '222222222222', versionId: 'v3' }));
    expect(domain.rollbackEnforcement).toHaveBeenCalledWith(security, '222222222222', 'v3');
    await setDefaultCohortAction(idle, form({ cohort: '' }));
    await setDefaultCohortAction(idle, form({ cohort: 'prod-admins' }));
    expect(domain.setDefaultCohort.mock.calls.map((c) => [c[1], c[2]])).toEqual([
      [security, null],
      [security, 'prod-admins'],
    ]);
    await applyTagsAction(idle, form({ expected: '0123456789abcdef' }));
    expect(domain.applyTagDrift).toHaveBeenCalledWith(security, '0123456789abcdef');
    expect(domain.revalidatePath).toHaveBeenCalledTimes(5);
    expect(new Set(domain.revalidatePath.mock.calls.map((c) => c[0]))).toEqual(new Set(['/admin/enforcement']));
  });

  it('refresh a stale page when the domain says the program changed, and not after other refusals', async () => {
    domain.deployEnforcement.mockResolvedValue({ status: 'error', code: 'Changed', message: 'changed' });
    domain.applyTagDrift.mockResolvedValue({ status: 'error', code: 'Changed', message: 'changed' });
    expect(await deployEnforcementAction(idle, form({ hash: '0123456789abcdef' }))).toMatchObject({ code: 'Changed' });
    expect(await applyTagsAction(idle, form({ expected: 'bbbbbbbbbbbbbbbb' }))).toMatchObject({ code: 'Changed' });
    expect(domain.revalidatePath).toHaveBeenCalledTimes(2);

    domain.revalidatePath.mockReset();
    domain.deployEnforcement.mockResolvedValue({ status: 'error', code: 'Refused', message: 'blocked' });
    domain.rollbackEnforcement.mockResolvedValue({ status: 'error', code: 'NotFound', message: 'gone' });
    await deployEnforcementAction(idle, form({ hash: '0123456789abcdef' }));
    await rollbackEnforcementAction(idle, form({ accountId: '222222222222', versionId: 'v9' }));
    expect(domain.revalidatePath).not.toHaveBeenCalled();
  });
});
