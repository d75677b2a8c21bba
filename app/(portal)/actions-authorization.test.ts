import { beforeEach, describe, expect, it, vi } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Actor, Role } from '@/lib/auth/types';

// Every exported server action, called as a public endpoint would be: without a session, with each role below the
// one it needs, and with that role and every role above it. The wrapper's authentication, authorization and form
// validation are the real ones; only the handler behind them is replaced by a probe, so no cell reaches domain code
// (which would need AWS and a database, both absent here) and a cell that should be refused fails loudly if it is not.
const probe = vi.hoisted(() => {
  class ReachedHandler extends Error {
    constructor(
      readonly action: string,
      readonly actor: unknown,
    ) {
      super(`${action} reached its handler`);
      this.name = 'ReachedHandler';
    }
  }
  return { ReachedHandler };
});
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock('@/lib/auth/session', () => ({ getActor: async () => session.actor }));
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
vi.mock('@/lib/audit/log', () => ({ recordAudit: async () => undefined }));
// A schema built per request may read the configuration (the token form checks the managed accounts); a unit test has none.
vi.mock('@/lib/env', async (importOriginal) => ({ ...(await importOriginal<typeof import('@/lib/env')>()), getEnv: () => ({ MFA_ACCOUNT_SOURCE: 'static', MFA_ACCOUNTS: [] }) }));
vi.mock('@/lib/actions/define-action', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/actions/define-action')>();
  const defineAction: typeof real.defineAction = (opts) =>
    real.defineAction(opts, async (actor) => {
      throw new probe.ReachedHandler(opts.name, actor);
    });
  return { defineAction };
});

const actorWith = (roles: Role[]): Actor => ({ id: 'someone@example.com', email: 'someone@example.com', name: 'Someone', method: 'oidc', roles, principals: [], authTime: 0 });
const member = actorWith(['member']);
const admin = actorWith(['member', 'admin']);
const security = actorWith(['member', 'admin', 'security']);
const ladder: { role: Role; actor: Actor }[] = [
  { role: 'member', actor: member },
  { role: 'admin', actor: admin },
  { role: 'security', actor: security },
];

type AnyAction = (prev: unknown, fd: FormData) => Promise<{ status: string; code?: string }>;

/**
 * The rule for each actions module under app/ (its path there): the role every one of its actions needs, and the
 * exact list of its actions. The modules themselves are found by walking app/, so a new actions.ts without a rule
 * here fails the first test below instead of going unchecked.
 */
const rules: Record<string, { role: Role; actions: string[] }> = {
  '(portal)/enroll/actions.ts': {
    role: 'member',
    actions: ['cancelVirtualAction', 'checkFidoAction', 'completeVirtualAction', 'enrollHardwareAction', 'startVirtualAction'],
  },
  '(portal)/devices/actions.ts': { role: 'member', actions: ['recordConsoleTestAction', 'removeAction', 'resyncAction', 'testCliAction'] },
  '(portal)/devices/recovery/actions.ts': { role: 'member', actions: ['cancelRecoveryAction', 'reportLostDeviceAction'] },
  '(portal)/admin/recovery/actions.ts': { role: 'admin', actions: ['approveRecoveryAction', 'rejectRecoveryAction'] },
  '(portal)/admin/program/recovery/actions.ts': { role: 'security', actions: ['setRecoverySettingsAction'] },
  '(portal)/more-time/actions.ts': { role: 'member', actions: ['requestExtensionAction'] },
  '(portal)/admin/actions.ts': { role: 'admin', actions: ['refreshInventoryAction', 'runProgressAction'] },
  '(portal)/admin/requests/actions.ts': { role: 'admin', actions: ['decideRequestAction'] },
  '(portal)/admin/users/[accountId]/[userName]/actions.ts': { role: 'admin', actions: ['deactivateLostDeviceAction', 'verifyUserAction'] },
  '(portal)/admin/report/actions.ts': { role: 'admin', actions: ['generateReportAction'] },
  '(portal)/admin/system/actions.ts': { role: 'admin', actions: ['sweepLeftoversAction'] },
  '(portal)/admin/decisions/actions.ts': { role: 'admin', actions: ['bulkDecideAction', 'setDecisionAction'] },
  '(portal)/admin/exceptions/actions.ts': { role: 'admin', actions: ['decideExceptionAction'] },
  '(portal)/actions.ts': { role: 'member', actions: ['requestOwnExceptionAction', 'withdrawOwnExceptionAction'] },
  '(portal)/admin/tokens/actions.ts': {
    role: 'admin',
    actions: ['addTokenAction', 'importTokensAction', 'removeTokenAction', 'returnTokenAction', 'updateTokenAction'],
  },
  '(portal)/admin/reminders/actions.ts': { role: 'admin', actions: ['runRemindersAction', 'sendReminderNowAction'] },
  '(portal)/admin/reminders/messages/actions.ts': {
    role: 'security',
    actions: ['resetTemplateAction', 'saveTemplateAction', 'sendTestMessageAction', 'setAccountContactAction', 'setEscalateStepsAction', 'setOwnerContactAction'],
  },
  '(portal)/admin/sessions/actions.ts': { role: 'admin', actions: ['endSessionAction'] },
  '(portal)/admin/enforcement/actions.ts': {
    role: 'security',
    actions: ['applyTagsAction', 'deployEnforcementAction', 'rollbackEnforcementAction', 'setDefaultCohortAction'],
  },
  '(portal)/admin/campaign/actions.ts': { role: 'security', actions: ['previewDigestAction', 'sendDigestNowAction'] },
  '(portal)/admin/program/actions.ts': {
    role: 'security',
    actions: ['deleteCategoryAction', 'moveCategoryAction', 'previewCategoryAction', 'requestCategoryExceptionAction', 'saveCategoryAction', 'setReminderDaysAction'],
  },
};

// Every actions.ts under app/, found by walking the tree (paths with "/" on every platform).
const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ACTION_FILES = (readdirSync(APP_DIR, { recursive: true }) as string[])
  .filter((f) => path.basename(f) === 'actions.ts')
  .map((f) => f.split(path.sep).join('/'))
  .sort();
const loadModule = (file: string) => () => import(/* @vite-ignore */ path.join(APP_DIR, file)) as Promise<Record<string, unknown>>;

async function actionsOf(load: () => Promise<Record<string, unknown>>): Promise<[string, AnyAction][]> {
  const mod = await load();
  return Object.entries(mod).filter((e): e is [string, AnyAction] => typeof e[1] === 'function');
}

/** What an empty form gets: the action's result, or `reached` when it passed every check and got to its handler. */
async function submitEmpty(action: AnyAction, actor: Actor): Promise<{ status: string; code?: string }> {
  try {
    return await action({ status: 'idle' }, new FormData());
  } catch (error) {
    if (!(error instanceof probe.ReachedHandler)) throw error;
    // The handler is given the session's actor, never one built from the form.
    expect(error.actor).toBe(actor);
    return { status: 'reached' };
  }
}

beforeEach(() => {
  session.actor = null;
});

describe('server action authorization', () => {
  it('every actions.ts under app/ has a rule here, and every rule an actions.ts', () => {
    expect(ACTION_FILES.length).toBeGreaterThan(0);
    expect(ACTION_FILES, 'an actions.ts without a rule: add one above').toEqual(Object.keys(rules).sort());
  });

  for (const area of ACTION_FILES) {
    const rule = rules[area];
    if (!rule) continue;
    const { role, actions: expected } = rule;
    const load = loadModule(area);
    it(`${area}: exports exactly the actions pinned to the ${role} role here`, async () => {
      const actions = await actionsOf(load);
      expect(actions.map(([n]) => n).sort()).toEqual([...expected].sort());
    });

    it(`${area}: every action refuses a request without a session`, async () => {
      const actions = await actionsOf(load);
      expect(actions.length).toBeGreaterThan(0);
      for (const [name, action] of actions) {
        expect(await action({ status: 'idle' }, new FormData()), name).toMatchObject({ status: 'error', code: 'Unauthenticated' });
      }
    });

    const rank = ladder.findIndex((r) => r.role === role);
    const below = ladder.slice(0, rank);
    const allowed = ladder.slice(rank);

    if (below.length > 0) {
      it(`${area}: every action refuses ${below.map((r) => r.role).join(' and ')}`, async () => {
        const actions = await actionsOf(load);
        for (const { actor } of below) {
          session.actor = actor;
          for (const [name, action] of actions) {
            expect(await submitEmpty(action, actor), `${name} as ${actor.roles.join('+')}`).toEqual(expect.objectContaining({ status: 'error', code: 'Forbidden' }));
          }
        }
      });
    }

    it(`${area}: every action lets ${allowed.map((r) => r.role).join(', ')} past authorization`, async () => {
      const actions = await actionsOf(load);
      expect(actions.length).toBeGreaterThan(0);
      for (const { actor } of allowed) {
        session.actor = actor;
        for (const [name, action] of actions) {
          // Past authorization an empty form is either refused by validation or reaches the handler.
          const result = await submitEmpty(action, actor);
          expect(['invalid', 'reached'], `${name} as ${actor.roles.join('+')}: ${JSON.stringify(result)}`).toContain(result.status);
        }
      }
    });
  }
});
