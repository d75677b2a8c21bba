/**
 * One portal instance as its own Node process, for the multi-instance test (test-support/two-portals.ts). It serves
 * over HTTP the portal's own entry points for work that instances share through the database: the scheduled
 * inventory, reminders and IAM events routes (the real route handlers, and one event message applied), and the session checks a request goes through (the
 * cookie names a session row: authorizeRequest, sign-out, an admin ending a session). Configuration comes
 * from the environment as for the portal; PORTAL_INSTANCE_PORT is where it listens.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { register } from 'node:module';

register('./server-only-hook.mjs', import.meta.url);

const { NextRequest } = await import('next/server');
const { encode, getToken } = await import('next-auth/jwt');
const inventoryRoute = await import('@/app/api/cron/inventory/route');
const remindersRoute = await import('@/app/api/cron/reminders/route');
const eventsRoute = await import('@/app/api/cron/events/route');
const { applyEventMessage, EventInProgress } = await import('@/lib/events/apply');
const { authorizeRequest } = await import('@/lib/auth/session');
const { endSession, endSessionAsAdmin, resolveSession, startSession } = await import('@/lib/auth/sessions');
const { getDb } = await import('@/lib/db/client');
const { getEnv } = await import('@/lib/env');
type PortalIdentity = import('@/lib/auth/types').PortalIdentity;

const port = Number(process.env.PORTAL_INSTANCE_PORT);
/** The cookie next-auth reads over http:// (tokenOptions: secureCookie only for an https:// NEXTAUTH_URL). */
const SESSION_COOKIE = 'next-auth.session-token';

async function toRequest(req: IncomingMessage): Promise<InstanceType<typeof NextRequest>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  return new NextRequest(`http://127.0.0.1:${port}${req.url}`, { method: req.method, headers, body });
}

const json = (body: unknown, status = 200) => Response.json(body, { status });

async function handle(request: InstanceType<typeof NextRequest>): Promise<Response> {
  const route = `${request.method} ${request.nextUrl.pathname}`;
  switch (route) {
    case 'GET /health':
      await getDb();
      return json({ pid: process.pid });
    case 'POST /api/cron/inventory':
      return inventoryRoute.POST(request);
    case 'POST /api/cron/reminders':
      return remindersRoute.POST(request);
    case 'POST /api/cron/events':
      return eventsRoute.POST(request);
    case 'POST /events/apply':
      // One IAM change event message applied here, as the consumer does for each message it receives.
      try {
        return json(await applyEventMessage(await request.text()));
      } catch (error) {
        if (error instanceof EventInProgress) return json({ kind: 'in-progress' });
        throw error;
      }
    case 'POST /session/start': {
      // What the sign-in's jwt callback does (lib/auth/options.ts): a session row, and a cookie naming it.
      const identity = (await request.json()) as PortalIdentity;
      const { id } = await startSession(await getDb(), identity);
      const cookie = await encode({ token: { sid: id, authTime: Math.floor(Date.now() / 1000) }, secret: getEnv().NEXTAUTH_SECRET });
      return json({ sid: id, cookie: `${SESSION_COOKIE}=${cookie}` });
    }
    case 'GET /session/check': {
      const auth = await authorizeRequest(request, 'member');
      return auth.response ?? json({ id: auth.actor.id, roles: auth.actor.roles });
    }
    case 'POST /session/sign-out': {
      // What next-auth's signOut event ends (lib/auth/options.ts); its providers do not load outside Next's bundler.
      const token = await getToken({ req: request, secret: getEnv().NEXTAUTH_SECRET });
      if (typeof token?.sid !== 'string') return json({ error: 'no session cookie' }, 400);
      const actor = await resolveSession(await getDb(), token.sid);
      await endSession(await getDb(), token.sid, 'sign-out', actor?.id ?? 'unknown');
      return json({ signedOut: true });
    }
    case 'POST /session/end': {
      const auth = await authorizeRequest(request, 'admin');
      if (auth.response) return auth.response;
      const { sid } = (await request.json()) as { sid: string };
      return json({ ended: await endSessionAsAdmin(auth.actor, sid) });
    }
    default:
      return json({ error: `no route ${route}` }, 404);
  }
}

async function reply(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

createServer((req, res) => {
  toRequest(req)
    .then(handle)
    .catch((error: unknown) => {
      console.error('[portal-instance]', error);
      return json({ error: (error as Error).message }, 500);
    })
    .then((response) => reply(res, response))
    .catch(() => res.destroy());
}).listen(port, '127.0.0.1');
