import 'server-only';
import { eq } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { programUsers, userWindows } from '@/lib/db/schema';
import { classifyAwsError } from '@/lib/aws/errors';
import { listUserTags } from '@/lib/aws/iam';
import { listAttachedUserPolicyArns } from '@/lib/aws/window-writes';
import { WINDOW_TAG, windowEndOfPolicyName, windowTagValue } from './policy';
import { putWindowInIam, releasePolicy, takeWindowOutOfIam, windowBase, windowPolicyOf, type StepContext } from './steps';

export type RepairResult = { repaired: number; failures: { accountId: string; userName: string; message: string }[] };

const policyNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const tagOf = (tags: Record<string, string>) => Object.entries(tags).find(([k]) => k.toLowerCase() === WINDOW_TAG)?.[1] ?? null;

/**
 * Window drift, read live from IAM and repaired (each write audited as window.repair):
 * - an active window whose policy is not attached (someone detached it) or whose tag is missing or wrong: put back;
 * - a window policy attached to a user that is not their active window's (a previous window, a failed open): released;
 * - an mfa-window tag (as the inventory last saw it) on a user without an active window: untagged and released.
 */
export async function repairWindowDrift(db: Db, actorId: string): Promise<RepairResult> {
  const result: RepairResult = { repaired: 0, failures: [] };
  const base = windowBase().name;
  const active = await db.select().from(userWindows).where(eq(userWindows.status, 'active'));
  const withWindow = new Set(active.map((w) => `${w.accountId}/${w.userName}`));
  const tagged = (await db.select({ accountId: programUsers.accountId, userName: programUsers.userName, tags: programUsers.tags }).from(programUsers)).filter(
    (u) => tagOf(u.tags) !== null && !withWindow.has(`${u.accountId}/${u.userName}`),
  );
  const check = async (accountId: string, userName: string, end: Date | null) => {
    const ctx: StepContext = { db, actorId, accountId, userName, action: 'window.repair', detail: { endsAt: end?.toISOString() ?? null } };
    try {
      const attached = await listAttachedUserPolicyArns(accountId, userName);
      const windowPolicies = attached.filter((arn) => windowEndOfPolicyName(base, policyNameOf(arn)) !== null);
      const expected = end ? windowPolicyOf(accountId, end) : null;
      let changed = false;
      if (end && expected) {
        const tag = tagOf(await listUserTags(accountId, userName));
        if (!windowPolicies.includes(expected.arn) || tag !== windowTagValue(end)) {
          await putWindowInIam(ctx, end, expected);
          changed = true;
        }
      } else {
        await takeWindowOutOfIam(ctx, null);
        changed = true;
      }
      for (const arn of windowPolicies.filter((a) => a !== expected?.arn)) {
        await releasePolicy(ctx, { name: policyNameOf(arn), arn });
        changed = true;
      }
      if (changed) result.repaired++;
    } catch (error) {
      const { code, name } = classifyAwsError(error);
      if (code === 'Unknown') throw error;
      if (code !== 'NoSuchEntity') result.failures.push({ accountId, userName, message: `Window drift not repaired: AWS error ${name}.` });
    }
  };
  for (const w of active) if (w.endsAt.getTime() > Date.now()) await check(w.accountId, w.userName, w.endsAt);
  for (const u of tagged) await check(u.accountId, u.userName, null);
  return result;
}
