import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor, Role } from '@/lib/auth/types';

// Every exported server action, called as a public endpoint would be: without a session, and with each role
// below the one it needs. None may reach its domain code (which would need AWS and a database, both absent here).
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock('@/lib/auth/session', () => ({ getActor: async () => session.actor }));
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
vi.mock('@/lib/audit/log', () => ({ recordAudit: async () => undefined }));

const actorWith = (roles: Role[]): Actor => ({ id: 'someone@example.com', email: 'someone@example.com', name: 'Someone', method: 'oidc', roles, principals: [], authTime: 0 });
const member = actorWith(['member']);
const admin = actorWith(['member', 'admin']);

type AnyAction = (prev: unknown, fd: FormData) => Promise<{ status: string; code?: string }>;

/** Each actions module, the role every one of its actions needs, and the exact list of its actions. */
const modules: Record<string, { load: () => Promise<Record<string, unknown>>; role: Role; actions: string[] }> = {
  enroll: { load: () => import('./enroll/actions'), role: 'member', actions: [] },
  devices: { load: () => import('./devices/actions'), role: 'member', actions: [] },
  admin: {
    load: () => import('./admin/actions'),
    role: 'admin',
    actions: ['deactivateLostDeviceAction', 'generateReportAction', 'refreshInventoryAction', 'runProgressAction', 'sweepLeftoversAction', 'verifyUserAction'],
  },
  decisions: { load: () => import('./admin/decisions/actions'), role: 'admin', actions: ['bulkDecideAction', 'setDecisionAction'] },
  tokens: {
    load: () => import('./admin/tokens/actions'),
    role: 'admin',
    actions: ['addTokenAction', 'importTokensAction', 'removeTokenAction', 'returnTokenAction', 'updateTokenAction'],
  },
  reminders: { load: () => import('./admin/reminders/actions'), role: 'admin', actions: ['runRemindersAction', 'sendReminderNowAction'] },
  enforcement: {
    load: () => import('./admin/enforcement/actions'),
    role: 'security',
    actions: ['applyTagsAction', 'deployEnforcementAction', 'rollbackEnforcementAction', 'setDefaultCohortAction'],
  },
  program: {
    load: () => import('./admin/program/actions'),
    role: 'security',
    actions: ['deleteCategoryAction', 'moveCategoryAction', 'previewCategoryAction', 'saveCategoryAction', 'setReminderDaysAction'],
  },
};

async function actionsOf(load: () => Promise<Record<string, unknown>>): Promise<[string, AnyAction][]> {
  const mod = await load();
  return Object.entries(mod).filter((e): e is [string, AnyAction] => typeof e[1] === 'function');
}

beforeEach(() => {
  session.actor = null;
});

describe('server action authorization', () => {
  for (const [area, { load, role, actions: expected }] of Object.entries(modules)) {
    it(`${area}: every action refuses a request without a session`, async () => {
      const actions = await actionsOf(load);
      expect(actions.length).toBeGreaterThan(0);
      for (const [name, action] of actions) {
        expect(await action({ status: 'idle' }, new FormData()), name).toMatchObject({ status: 'error', code: 'Unauthenticated' });
      }
    });

    if (role === 'member') continue;
    const below = role === 'security' ? [member, admin] : [member];
    it(`${area}: exactly the expected actions, each refusing ${below.map((a) => a.roles.at(-1)).join(' and ')}`, async () => {
      const actions = await actionsOf(load);
      expect(actions.map(([n]) => n).sort()).toEqual([...expected].sort());
      for (const actor of below) {
        session.actor = actor;
        for (const [name, action] of actions) {
          expect(await action({ status: 'idle' }, new FormData()), `${name} as ${actor.roles.join('+')}`).toMatchObject({ status: 'error', code: 'Forbidden' });
        }
      }
    });
  }
});
