import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What every log line inside a request or a background job carries. One store per request (route handler, server
 * action) or job run; the actor is filled in once the session is known.
 */
export type LogContext = { reqId?: string; jobId?: string; job?: string; actor?: string };

const storage = new AsyncLocalStorage<LogContext>();

export const currentLogContext = (): LogContext | undefined => storage.getStore();

/** Runs `fn` with `context` bound for every `log.*` call inside it, across awaits. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...context }, fn);
}

/** Names the signed-in actor on the current request's lines (no effect outside a request or job). */
export function setLogActor(actorId: string): void {
  const store = storage.getStore();
  if (store) store.actor = actorId;
}

/**
 * A background job's run (schedulers, the event consumer, inventory runs): its lines carry `job` and `jobId` instead
 * of a request id, also when a request started it.
 */
export function withJobContext<T>(job: string, fn: () => T, jobId: string = crypto.randomUUID()): T {
  return storage.run({ job, jobId }, fn);
}
