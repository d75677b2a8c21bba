import { beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Actor } from '@/lib/auth/types';

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
const audits = vi.hoisted(() => [] as unknown[]);
vi.mock('@/lib/auth/session', () => ({ getActor: async () => session.actor }));
vi.mock('@/lib/db/client', () => ({ getDb: async () => ({}) }));
const revalidated = vi.hoisted(() => [] as string[]);
vi.mock('next/cache', () => ({ revalidatePath: (path: string) => void revalidated.push(path) }));
vi.mock('@/lib/audit/log', () => ({ recordAudit: async (_db: unknown, entry: unknown) => void audits.push(entry) }));

const { defineAction } = await import('./define-action');
const { fail, idle, ok } = await import('./result');

const member: Actor = { id: 'alice@example.com', email: 'alice@example.com', name: 'Alice', method: 'oidc', roles: ['member'], principals: [], authTime: 0 };
const handler = vi.fn(async (actor: Actor, input: { name: string }) => ok(`${actor.id}:${input.name}`));
const action = defineAction({ name: 'inventory.refresh', role: 'admin', schema: z.object({ name: z.string().min(2, 'Too short.') }) }, handler);
const form = (fields: Record<string, string>) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  return fd;
};

beforeEach(() => {
  session.actor = null;
  audits.length = 0;
  revalidated.length = 0;
  handler.mockClear();
});

describe('defineAction', () => {
  it('refuses an unauthenticated request without calling the handler', async () => {
    expect(await action(idle, form({ name: 'ok' }))).toMatchObject({ status: 'error', code: 'Unauthenticated' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('refuses the wrong role, audits it, and does not call the handler', async () => {
    session.actor = member;
    expect(await action(idle, form({ name: 'ok' }))).toMatchObject({ status: 'error', code: 'Forbidden' });
    expect(handler).not.toHaveBeenCalled();
    expect(audits).toEqual([expect.objectContaining({ actor: 'alice@example.com', action: 'inventory.refresh', outcome: 'denied' })]);
  });

  it('returns every field error for invalid input', async () => {
    session.actor = { ...member, roles: ['member', 'admin'] };
    expect(await action(idle, form({ name: 'x' }))).toEqual({ status: 'invalid', fieldErrors: { name: ['Too short.'] }, message: 'Check the highlighted fields.' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('refuses a body that is not form data with a typed refusal, before reading the session', async () => {
    session.actor = { ...member, roles: ['member', 'admin'] };
    const bodies: unknown[] = [undefined, null, 'name=bob', 42, ['name', 'bob'], { name: 'bob' }, new URLSearchParams('name=bob'), new Map([['name', 'bob']])];
    for (const body of bodies) {
      expect(await action(idle, body as FormData)).toEqual({ status: 'error', code: 'MalformedRequest', message: expect.stringContaining('could not be read') });
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('refuses a field carrying a NUL byte (PostgreSQL cannot store it) as a field error', async () => {
    session.actor = { ...member, roles: ['member', 'admin'] };
    expect(await action(idle, form({ name: 'bo\u0000b', other: 'fine' }))).toEqual({ status: 'invalid', fieldErrors: { name: [expect.stringContaining('NUL')] }, message: 'Check the highlighted fields.' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('calls the handler with the session actor and parsed input, ignoring Next\'s own fields', async () => {
    session.actor = { ...member, roles: ['member', 'admin'] };
    expect(await action(idle, form({ name: 'bob', $ACTION_ID_abc: '' }))).toEqual({ status: 'success', data: 'alice@example.com:bob', message: undefined });
    expect(handler).toHaveBeenCalledWith(session.actor, { name: 'bob' });
  });

  it('builds the schema per request when given a factory (rules that depend on the moment)', async () => {
    session.actor = { ...member, roles: ['member', 'admin'] };
    let limit = 3;
    const byClock = defineAction({ name: 'inventory.refresh', role: 'admin', schema: () => z.object({ n: z.coerce.number().max(limit, `At most ${limit}.`) }) }, async (_a, input) => ok(input.n));
    expect(await byClock(idle, form({ n: '3' }))).toMatchObject({ status: 'success', data: 3 });
    limit = 2;
    expect(await byClock(idle, form({ n: '3' }))).toEqual({ status: 'invalid', fieldErrors: { n: ['At most 2.'] }, message: 'Check the highlighted fields.' });
  });

  it('revalidates the named pages after a success, and only then', async () => {
    session.actor = { ...member, roles: ['member', 'admin'] };
    const outcome = { value: ok('done') as ReturnType<typeof ok<string>> | ReturnType<typeof fail> };
    const act = defineAction(
      { name: 'inventory.refresh', role: 'admin', schema: z.object({ id: z.string() }), revalidate: (input) => ['/admin', `/admin/x/${input.id}`] },
      async () => outcome.value,
    );
    await act(idle, form({ id: '7' }));
    expect(revalidated).toEqual(['/admin', '/admin/x/7']);
    revalidated.length = 0;
    outcome.value = fail('Nope', 'Refused.');
    await act(idle, form({ id: '7' }));
    expect(revalidated).toEqual([]);
    session.actor = member;
    await act(idle, form({ id: '7' }));
    expect(revalidated).toEqual([]);
  });

  it('revalidates when the handler redirects, and lets the redirect through', async () => {
    session.actor = { ...member, roles: ['member', 'admin'] };
    const redirect = Object.assign(new Error('NEXT_REDIRECT'), { digest: 'NEXT_REDIRECT;replace;/done;307;' });
    const act = defineAction({ name: 'inventory.refresh', role: 'admin', schema: z.object({}), revalidate: '/' }, async () => {
      throw redirect;
    });
    await expect(act(idle, form({}))).rejects.toBe(redirect);
    expect(revalidated).toEqual(['/']);
    const broken = defineAction({ name: 'inventory.refresh', role: 'admin', schema: z.object({}), revalidate: '/' }, async () => {
      throw new Error('bug');
    });
    revalidated.length = 0;
    await expect(broken(idle, form({}))).rejects.toThrow('bug');
    expect(revalidated).toEqual([]);
  });
});
