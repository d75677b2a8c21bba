import { z } from 'zod';
import { freeText } from '@/lib/actions/free-text';
import { hasRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';

/**
 * The rules of a lost-device recovery that need no database or AWS: the security team's checklist, who may decide a
 * request, and how long the grace is. lib/recovery/*.ts apply them; the unit tests prove each can refuse.
 */

export const CHECKLIST_MAX_ITEMS = 10;
export const CHECKLIST_ITEM_MAX = 200;

/** The security team's checklist, typed one item per line: 1-10 items of 5-200 characters, no repeats. */
export const checklistSchema = freeText({ multiline: true }).transform((text, ctx) => {
  const items = text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0 || items.length > CHECKLIST_MAX_ITEMS) {
    ctx.addIssue({ code: 'custom', message: `Enter one to ${CHECKLIST_MAX_ITEMS} checks, one per line.` });
    return z.NEVER;
  }
  if (items.some((i) => i.length < 5 || i.length > CHECKLIST_ITEM_MAX)) {
    ctx.addIssue({ code: 'custom', message: `Each check is 5 to ${CHECKLIST_ITEM_MAX} characters.` });
    return z.NEVER;
  }
  if (new Set(items.map((i) => i.toLowerCase())).size !== items.length) {
    ctx.addIssue({ code: 'custom', message: 'Each check may appear only once.' });
    return z.NEVER;
  }
  return items;
});

/** Grace hours the security team may set: whole hours from 1 to the MFA_RECOVERY_MAX_GRACE_HOURS cap. */
export const graceHoursSchema = (maxHours: number) =>
  z.coerce
    .number({ error: 'Enter a whole number of hours.' })
    .int('Enter a whole number of hours.')
    .min(1, 'At least 1 hour.')
    .max(maxHours, `At most ${maxHours} hours (the portal's MFA_RECOVERY_MAX_GRACE_HOURS).`);

/** The required checks the approver did not tick (compared exactly: the approver confirms the wording the team set). */
export function missingChecks(required: readonly string[], ticked: readonly string[]): string[] {
  const done = new Set(ticked);
  return required.filter((item) => !done.has(item));
}

/**
 * The grace's end: the configured hours from now, never beyond the cap even if the stored setting is larger. Rounded
 * down to the minute: a window policy is named after its end at minute precision (lib/windows).
 */
export function graceEndsAt(now: Date, hours: number, maxHours: number): Date {
  const h = Math.max(1, Math.min(Math.floor(hours), maxHours));
  const end = now.getTime() + h * 3_600_000;
  return new Date(end - (end % 60_000));
}

export type DecisionRefusal = { code: 'Forbidden' | 'SelfApproval' | 'OwnIamUser' | 'NotOpen'; message: string };

type Decider = Pick<Actor, 'id' | 'email' | 'roles' | 'principals'>;
type Decided = { accountId: string; userName: string; reportedBy: string; status: string };

/**
 * Who may approve or reject a request: an admin who is neither the person who reported it nor an owner of the IAM
 * user (an owner could otherwise report, then approve, their own recovery from a second sign-in), and only while it
 * is open. Null when allowed.
 */
export function decisionRefusal(actor: Decider, request: Decided): DecisionRefusal | null {
  if (!hasRole(actor.roles, 'admin')) return { code: 'Forbidden', message: 'Only portal administrators can decide a recovery request.' };
  const reporter = request.reportedBy.toLowerCase();
  if (actor.id.toLowerCase() === reporter || (actor.email && actor.email.toLowerCase() === reporter)) {
    return { code: 'SelfApproval', message: 'You reported this device yourself: another administrator must verify you and decide.' };
  }
  if (actor.principals.some((p) => p.accountId === request.accountId && p.userName === request.userName)) {
    return { code: 'OwnIamUser', message: 'This IAM user is one of yours: another administrator must verify you and decide.' };
  }
  if (request.status !== 'reported') return { code: 'NotOpen', message: 'This request was already decided or cancelled. Reload the page.' };
  return null;
}
