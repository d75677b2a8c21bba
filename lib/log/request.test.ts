import { afterEach, describe, expect, it, vi } from 'vitest';

const incoming = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock('next/headers', () => ({ headers: async () => incoming.headers }));

const { log } = await import('./index');
const { currentLogContext } = await import('./context');
const { inRequestLogContext, withRequestLog } = await import('./request');

afterEach(() => vi.restoreAllMocks());

describe('withRequestLog', () => {
  it('binds the incoming request id for the handler and writes a route line without the query', async () => {
    const info = vi.spyOn(log, 'info').mockImplementation(() => undefined);
    const handler = withRequestLog(async (request: Request) => new Response(String(currentLogContext()?.reqId), { status: 202, headers: { got: request.method } }));
    const response = await handler(new Request('http://portal.test/api/cron/inventory?token=abc', { method: 'POST', headers: { 'x-request-id': 'req-42' } }));
    expect(await response.text()).toBe('req-42');
    expect(info).toHaveBeenCalledWith({ method: 'POST', path: '/api/cron/inventory', status: 202 }, 'route');
    expect(currentLogContext()).toBeUndefined();
  });

  it('makes a new id when the incoming one is not a short token', async () => {
    vi.spyOn(log, 'info').mockImplementation(() => undefined);
    const handler = withRequestLog(async () => new Response(String(currentLogContext()?.reqId)));
    const id = await (await handler(new Request('http://portal.test/x', { headers: { 'x-request-id': 'a b' } }))).text();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('inRequestLogContext', () => {
  it('takes the id proxy.ts forwarded, and joins a context already bound', async () => {
    incoming.headers = new Headers({ 'x-request-id': 'from-proxy' });
    const ids = await inRequestLogContext(async () => [currentLogContext()?.reqId, await inRequestLogContext(async () => currentLogContext()?.reqId)]);
    expect(ids).toEqual(['from-proxy', 'from-proxy']);
  });
});
