import 'server-only';
import { z } from 'zod';
import { getActor } from '@/lib/auth/session';
import { hasRole } from '@/lib/auth/roles';
import { recordAudit, type AuditAction } from '@/lib/audit/log';
import { getDb } from '@/lib/db/client';
import type { Actor, Role } from '@/lib/auth/types';
import { fail, invalid, type ActionResult } from './result';
import { CONTROL_CHARACTER_MESSAGE } from './free-text';

/**
 * Every server action is a public POST endpoint. This wrapper authenticates from the session cookie,
 * checks the role, validates the form with a zod schema (all field errors, human messages), and only
 * then calls the handler with the actor and typed input.
 */
export function defineAction<S extends z.ZodType, T>(
  opts: { name: AuditAction; role: Role; schema: S },
  handler: (actor: Actor, input: z.output<S>) => Promise<ActionResult<T>>,
) {
  return async function action(_prev: ActionResult<T>, formData: FormData): Promise<ActionResult<T>> {
    // Anyone can POST an action id with a JSON or text body; Next then hands over whatever it decoded, so the
    // body's shape is checked here (a typed refusal) instead of failing later as a 500.
    if (!(formData instanceof FormData)) return fail('MalformedRequest', 'This request could not be read. Reload the page and submit the form again.');
    const actor = await getActor();
    if (!actor) return fail('Unauthenticated', 'Your session has ended. Sign in again, then retry.');
    if (!hasRole(actor.roles, opts.role)) {
      await recordAudit(await getDb(), { actor: actor.id, action: opts.name, outcome: 'denied', detail: { reason: 'Forbidden', needs: opts.role } });
      return fail('Forbidden', 'You are not allowed to do this.');
    }
    const raw: Record<string, string> = {};
    for (const [key, value] of formData.entries()) if (typeof value === 'string' && !key.startsWith('$')) raw[key] = value;
    // PostgreSQL cannot store a NUL byte (the query would fail as a 500) and no form field ever means one.
    const withNul = Object.keys(raw).filter((key) => raw[key]!.includes('\u0000'));
    if (withNul.length) return invalid(Object.fromEntries(withNul.map((key) => [key, [CONTROL_CHARACTER_MESSAGE]])), 'Check the highlighted fields.');
    const parsed = opts.schema.safeParse(raw);
    if (!parsed.success) return invalid(z.flattenError(parsed.error).fieldErrors as Partial<Record<string, string[]>>, 'Check the highlighted fields.');
    return handler(actor, parsed.data);
  };
}
