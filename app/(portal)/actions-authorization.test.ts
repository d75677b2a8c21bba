import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from '@/lib/auth/types';

// Every exported server action, called as a public endpoint would be: without a session, and with the
// wrong role. None may reach its domain code (which would need AWS and a database, both absent here).
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock('@/lib/auth/session', () => ({ getActor: async () => session.actor }));
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
vi.mock('@/lib/audit/log', () => ({ recordAudit: async () => undefined }));

const member: Actor = { id: 'alice@example.com', email: 'alice@example.com', name: 'Alice', method: 'oidc', roles: ['member'], principals: [], authTime: 0 };

const modules = {
  admin: () => import('./admin/actions'),
  enroll: () => import('./enroll/actions'),
  devices: () => import('./devices/actions'),
};

type AnyAction = (prev: unknown, fd: FormData) => Promise<{ status: string; code?: string }>;

async function actionsOf(load: () => Promise<Record<string, unknown>>): Promise<[string, AnyAction][]> {
  const mod = await load();
  return Object.entries(mod).filter((e): e is [string, AnyAction] => typeof e[1] === 'function');
}

beforeEach(() => {
  session.actor = null;
});

describe('server action authorization', () => {
  for (const [area, load] of Object.entries(modules)) {
    it(`${area}: every action refuses a request without a session`, async () => {
      const actions = await actionsOf(load);
      expect(actions.length).toBeGreaterThan(0);
      for (const [name, action] of actions) {
        expect(await action({ status: 'idle' }, new FormData()), name).toMatchObject({ status: 'error', code: 'Unauthenticated' });
      }
    });
  }

  it('admin: every action refuses a member', async () => {
    session.actor = member;
    const actions = await actionsOf(modules.admin);
    expect(actions.map(([n]) => n).sort()).toEqual(
      ['deactivateLostDeviceAction', 'generateReportAction', 'refreshInventoryAction', 'runProgressAction', 'sweepLeftoversAction', 'verifyUserAction'].sort(),
    );
    for (const [name, action] of actions) {
      expect(await action({ status: 'idle' }, new FormData()), name).toMatchObject({ status: 'error', code: 'Forbidden' });
    }
  });
});
