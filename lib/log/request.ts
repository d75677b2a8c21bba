import 'server-only';
import { headers } from 'next/headers';
import { currentLogContext, withLogContext } from './context';
import { log } from './index';
import { newRequestId, requestIdFrom } from './request-id';

/** The request id proxy.ts put on the request (a new one outside a request, e.g. a test calling an action directly). */
async function incomingRequestId(): Promise<string> {
  let incoming: Headers | undefined;
  try {
    incoming = (await headers()) as unknown as Headers;
  } catch {
    // headers() throws outside a request scope: there is no incoming id to keep.
  }
  return incoming ? requestIdFrom(incoming) : newRequestId();
}

/**
 * Runs a server action's or a page's work with the request's log context bound (once: an inner call joins the
 * context already there).
 */
export async function inRequestLogContext<T>(fn: () => Promise<T>): Promise<T> {
  if (currentLogContext()) return fn();
  return withLogContext({ reqId: await incomingRequestId() }, fn);
}

/**
 * Route handlers: `export const GET = withRequestLog(async (request) => …)`. The lines the handler writes carry the
 * request id (and the actor once authorizeRequest knows it).
 */
export function withRequestLog<Q extends Request, A extends unknown[], R extends Response>(handler: (request: Q, ...rest: A) => Promise<R>) {
  return (request: Q, ...rest: A): Promise<R> =>
    withLogContext({ reqId: requestIdFrom(request.headers) }, async () => {
      const response = await handler(request, ...rest);
      // The path without its query: a query is the caller's to fill and is never needed to read the log.
      log.info({ method: request.method, path: new URL(request.url).pathname, status: response.status }, 'route');
      return response;
    });
}
