import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Actor } from '@/lib/auth/types';

// The confirm step of an admin's deactivation of someone else's device: the form says what will happen and asks
// for a tick, and the action refuses a submission without it (a crafted POST skips the browser's `required`).
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
const domain = vi.hoisted(() => ({ calls: [] as unknown[] }));
vi.mock('@/lib/auth/session', () => ({ getActor: async () => session.actor }));
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
vi.mock('@/lib/audit/log', () => ({ recordAudit: async () => undefined }));
vi.mock('@/lib/enrollment/admin', () => ({
  deactivateLostDevice: async (...args: unknown[]) => {
    domain.calls.push(args);
    return { status: 'error', code: 'Probe', message: 'reached the domain' };
  },
}));
vi.mock('next/navigation', () => ({ useRouter: () => ({ push: () => undefined }), redirect: () => undefined }));

const { deactivateLostDeviceAction } = await import('./actions');
const { DeactivateLostDevice } = await import('./user-admin-actions');

const admin: Actor = { id: 'admin@example.com', email: 'admin@example.com', name: 'Admin', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
const fields = { accountId: '111111111111', userName: 'jane', serial: 'arn:aws:iam::111111111111:mfa/jane-phone', reason: 'phone lost on the train' };
const form = (extra: Record<string, string> = {}) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries({ ...fields, ...extra })) fd.set(k, v);
  return fd;
};

beforeEach(() => {
  session.actor = admin;
  domain.calls = [];
});

describe('deactivating someone else\'s device asks for confirmation', () => {
  it('the action refuses a submission without the confirmation and never reaches the domain', async () => {
    for (const extra of [{}, { confirm: 'on' }, { confirm: '' }] as Record<string, string>[]) {
      const result = await deactivateLostDeviceAction({ status: 'idle' }, form(extra));
      expect(result).toMatchObject({ status: 'invalid', fieldErrors: { confirm: [expect.stringContaining('confirm')] } });
    }
    expect(domain.calls).toEqual([]);
    expect(await deactivateLostDeviceAction({ status: 'idle' }, form({ confirm: 'yes' }))).toMatchObject({ code: 'Probe' });
    expect(domain.calls).toHaveLength(1);
  });

  it('the form says what will happen and requires the tick', () => {
    const html = renderToStaticMarkup(
      <DeactivateLostDevice accountId="111111111111" userName="jane" signInMethod="oidc" device={{ serial: fields.serial, type: 'virtual', name: 'jane-phone', enabledAt: null } as never} />,
    );
    expect(html).toMatch(/deactivates <strong[^>]*>jane-phone<\/strong> on jane in AWS: it is no longer accepted at sign-in and its AWS record is deleted/);
    expect(html).toContain('It cannot be undone.');
    const box = html.match(/<input type="checkbox"[^>]*>/)?.[0] ?? '';
    for (const attr of ['name="confirm"', 'value="yes"', 'required=""']) expect(box).toContain(attr);
    expect(html).toContain('I understand what will happen');
  });
});
