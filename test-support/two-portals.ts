/**
 * For the multi-instance test: portal instances as separate Node processes (test-support/portal-instance.ts) on one
 * database, each with the local stack's configuration, started and stopped like the stack's own children.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnManaged, waitUntilReady, type ManagedChild } from '@/infra/local/child';
import { freePort } from '@/infra/local/ports';
import { childEnv } from './env';

export type PortalInstance = {
  readonly url: string;
  readonly pid: number;
  /** A request to this instance; `cookie` is sent as the Cookie header. */
  call(method: 'GET' | 'POST', route: string, options?: { body?: unknown; cookie?: string; bearer?: string }): Promise<Response>;
  stop(): Promise<void>;
};

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function client(url: string, child: ManagedChild): PortalInstance {
  return {
    url,
    pid: child.pid,
    call: (method, route, options = {}) =>
      fetch(`${url}${route}`, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.cookie ? { cookie: options.cookie } : {}),
          ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      }),
    stop: async () => {
      await child.stop();
    },
  };
}

/** Starts `count` instances at once (they migrate the same database concurrently, as a rolling deploy would). */
export async function startPortals(count: number, env: Record<string, string>): Promise<PortalInstance[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, async (_, i) => {
      const port = await freePort();
      const child = spawnManaged(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test-support/portal-instance.ts')], {
        name: `portal instance ${i + 1}`,
        cwd: repoRoot,
        env: childEnv({ ...env, PORTAL_INSTANCE_PORT: String(port), NODE_ENV: 'production' }),
        output: 'capture',
      });
      const url = `http://127.0.0.1:${port}`;
      try {
        await waitUntilReady(child, async () => (await fetch(`${url}/health`)).ok, `portal instance ${i + 1}`, 120_000);
      } catch (error) {
        await child.stop();
        throw error;
      }
      return client(url, child);
    }),
  );
  const portals = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(portals.map((p) => p.stop()));
    throw failed.reason;
  }
  return portals;
}
