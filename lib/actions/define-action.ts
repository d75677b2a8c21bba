import 'server-only';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getActor } from '@/lib/auth/session';
import { hasRole } from '@/lib/auth/roles';
import { recordAudit, type AuditAction } from '@/lib/audit/log';
import { getDb } from '@/lib/db/client';
import type { Actor, Role } from '@/lib/auth/types';
import { fail, invalid, type ActionResult } from './result';
import { CONTROL_CHARACTER_MESSAGE } from './free-text';
import { log, setLogActor } from '@/lib/log';
import { inRequestLogContext } from '@/lib/log/request';

/** Pages whose cached render an action's success makes stale: fixed paths, or paths that depend on the input. */
export type Revalidate<I> = string | readonly string[] | ((input: I) => string | readonly string[]);

/** Next's `redirect()` throws an error whose digest starts with NEXT_REDIRECT: the action succeeded and moves on. */
const isRedirect = (error: unknown) =>
  typeof error === 'object' && error !== null && typeof (error as { digest?: unknown }).digest === 'string' && (error as { digest: string }).digest.startsWith('NEXT_REDIRECT');

function revalidateAll<I>(revalidate: Revalidate<I> | undefined, input: I) {
  if (!revalidate) return;
  const paths = typeof revalidate === 'function' ? revalidate(input) : revalidate;
  for (const path of typeof paths === 'string' ? [paths] : paths) revalidatePath(path);
}

/**
 * Every server action is a public POST endpoint. This wrapper authenticates from the session cookie,
 * checks the role, validates the form with a zod schema (all field errors, human messages), and only
 * then calls the handler with the actor and typed input.
 *
 * - `schema` is a schema, or a factory called per request for rules that depend on the moment (a deadline
 *   must lie in the future *now*).
 * - `revalidate` names the pages a success makes stale; they are revalidated after a success result and
 *   when the handler redirects (a redirect is how a finished flow succeeds), never after a refusal.
 */
export function defineAction<S extends z.ZodType, T>(
  opts: { name: AuditAction; role: Role; schema: S | (() => S | Promise<S>); revalidate?: Revalidate<z.output<S>> },
  handler: (actor: Actor, input: z.output<S>) => Promise<ActionResult<T>>,
) {
  // Every log line written while the action runs carries the request id and, once known, the actor.
  return async function action(prev: ActionResult<T>, formData: FormData): Promise<ActionResult<T>> {
    return inRequestLogContext(() => run(prev, formData));
  };

  async function run(_prev: ActionResult<T>, formData: FormData): Promise<ActionResult<T>> {
    // Anyone can POST an action id with a JSON or text body; Next then hands over whatever it decoded, so the
    // body's shape is checked here (a typed refusal) instead of failing later as a 500.
    if (!(formData instanceof FormData)) return fail('MalformedRequest', 'This request could not be read. Reload the page and submit the form again.');
    const actor = await getActor();
    if (!actor) return fail('Unauthenticated', 'Your session has ended. Sign in again, then retry.');
    setLogActor(actor.id);
    if (!hasRole(actor.roles, opts.role)) {
      await recordAudit(await getDb(), { actor: actor.id, action: opts.name, outcome: 'denied', detail: { reason: 'Forbidden', needs: opts.role } });
      return fail('Forbidden', 'You are not allowed to do this.');
    }
    const raw: Record<string, string> = {};
    for (const [key, value] of formData.entries()) if (typeof value === 'string' && !key.startsWith('$')) raw[key] = value;
    // PostgreSQL cannot store a NUL byte (the query would fail as a 500) and no form field ever means one.
    const withNul = Object.keys(raw).filter((key) => raw[key]!.includes('\u0000'));
    if (withNul.length) return invalid(Object.fromEntries(withNul.map((key) => [key, [CONTROL_CHARACTER_MESSAGE]])), 'Check the highlighted fields.');
    const schema = typeof opts.schema === 'function' ? await (opts.schema as () => S | Promise<S>)() : opts.schema;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return invalid(z.flattenError(parsed.error).fieldErrors as Partial<Record<string, string[]>>, 'Check the highlighted fields.');
    let result: ActionResult<T>;
    try {
      result = await handler(actor, parsed.data);
    } catch (error) {
      if (isRedirect(error)) revalidateAll(opts.revalidate, parsed.data);
      throw error;
    }
    if (result.status === 'success') revalidateAll(opts.revalidate, parsed.data);
    // The outcome only: the input and the result's data can hold what the person typed.
    log.info({ action: opts.name, status: result.status, ...(result.status === 'error' ? { errorCode: result.code } : {}) }, 'action');
    return result;
  }
}
