import 'server-only';
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { inventoryUsers, programUsers } from '@/lib/db/schema';
import { auditedMutation, recordAudit } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { listUserTags } from '@/lib/aws/iam';
import { tagUser, untagUser } from '@/lib/aws/policy-writes';
import { classifyAwsError } from '@/lib/aws/errors';
import { emailIndexColumns } from '@/lib/inventory/email-index';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { isActiveException, tagDrift, type TagChange } from './impact';
import { COHORT_TAG, EXEMPT_TAG } from './policy';

export type DriftReport = { changes: TagChange[]; usersChecked: number; hash: string };

/** Identifies the exact set of changes a person reviewed (not just how many). */
export const driftHash = (changes: readonly TagChange[]) => createHash('sha256').update(JSON.stringify(changes)).digest('hex').slice(0, 16);

type DriftRow = { accountId: string; userName: string; tags: Record<string, string>; cohort: string | null; decision: string; exceptionExpired: boolean };

async function driftRows(db: Db): Promise<DriftRow[]> {
  return db
    .select({ accountId: programUsers.accountId, userName: programUsers.userName, tags: programUsers.tags, cohort: programUsers.cohort, decision: programUsers.decision, exceptionExpired: programUsers.exceptionExpired })
    .from(programUsers);
}

const desiredOf = (r: DriftRow) => ({ ...r, activeException: isActiveException(r) });

/** How the users' mfa-cohort and mfa-exempt tags (as the inventory last saw them) differ from the program. */
export async function getTagDrift(actor: Actor): Promise<DriftReport> {
  assertRole(actor.roles, 'admin', 'the tag drift report');
  const rows = await driftRows(await getDb());
  const changes = rows.flatMap((r) => tagDrift(desiredOf(r)));
  return { changes, usersChecked: rows.length, hash: driftHash(changes) };
}

export type ApplyResult = { usersChanged: number; failures: { accountId: string; userName: string; message: string }[] };

const snapshot = (tags: Record<string, string>) => {
  const pick = (key: string) => Object.entries(tags).find(([k]) => k.toLowerCase() === key)?.[1] ?? null;
  return { [COHORT_TAG]: pick(COHORT_TAG), [EXEMPT_TAG]: pick(EXEMPT_TAG) };
};

/**
 * Applies the drift report: sets tags the program wants before removing those it does not, so a user is never
 * briefly without an exemption they should have. Each user's live tags are re-read first (the inventory may be
 * hours old). Security only; each user's change is audited with before and after, and each failure too.
 * `expected` is the hash of the report the person reviewed: if the report changed since, nothing is applied.
 */
export async function applyTagDrift(actor: Actor, expected: string): Promise<ActionResult<ApplyResult>> {
  assertRole(actor.roles, 'security', 'tag reconciliation');
  const db = await getDb();
  const rows = await driftRows(db);
  const changes = rows.flatMap((r) => tagDrift(desiredOf(r)));
  if (changes.length === 0) return ok({ usersChanged: 0, failures: [] }, 'Nothing to change: every user’s tags match the program.');
  if (driftHash(changes) !== expected) return fail('Changed', `The report changed since you reviewed it (it now has ${changes.length} changes). Review it again.`);
  const byAccount = new Map<string, DriftRow[]>();
  const drifted = new Set(changes.map((c) => `${c.accountId}/${c.userName}`));
  for (const r of rows) if (drifted.has(`${r.accountId}/${r.userName}`)) byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r]);

  const result: ApplyResult = { usersChanged: 0, failures: [] };
  await Promise.all(
    [...byAccount.entries()].map(async ([accountId, users]) => {
      // One account at a time per worker keeps IAM's per-account throttling in check.
      for (const row of users) {
        const target = `${accountId}/${row.userName}`;
        try {
          const live = await listUserTags(accountId, row.userName);
          const todo = tagDrift(desiredOf({ ...row, tags: live }));
          if (todo.length === 0) continue;
          const set = Object.fromEntries(todo.filter((c) => c.desired !== null).map((c) => [c.actualKey ?? c.key, c.desired!]));
          const remove = todo.filter((c) => c.desired === null && c.actualKey !== null).map((c) => c.actualKey!);
          const audit = { actor: actor.id, action: 'enforcement.tags.apply' as const, target };
          if (Object.keys(set).length) await auditedMutation({ ...audit, detail: { set } }, 'iam:TagUser', () => tagUser(accountId, row.userName, set), db);
          if (remove.length) await auditedMutation({ ...audit, detail: { remove } }, 'iam:UntagUser', () => untagUser(accountId, row.userName, remove), db);
          const after = { ...live, ...set };
          for (const k of remove) delete after[k];
          await db.transaction(async (tx) => {
            await tx.update(inventoryUsers).set({ tags: after, ...emailIndexColumns(after) }).where(and(eq(inventoryUsers.accountId, accountId), eq(inventoryUsers.userName, row.userName)));
            await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'enforcement.tags.apply', target, outcome: 'success', detail: { before: snapshot(live), after: snapshot(after) } });
          });
          result.usersChanged++;
        } catch (error) {
          const { code, name } = classifyAwsError(error);
          if (code === 'Unknown') throw error;
          const message = code === 'NoSuchEntity' ? 'The user no longer exists (refresh the inventory).' : code === 'AccessDenied' ? 'The deploy role may not tag this user.' : `AWS error ${name}.`;
          result.failures.push({ accountId, userName: row.userName, message });
          await recordAudit(db, { actor: actor.id, action: 'enforcement.tags.apply', target, outcome: 'failure', detail: { reason: code } });
        }
      }
    }),
  );
  const msg = `Tags updated on ${result.usersChanged} user${result.usersChanged === 1 ? '' : 's'}${result.failures.length ? `; ${result.failures.length} failed (see below)` : ''}.`;
  return ok(result, msg);
}
