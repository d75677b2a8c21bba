import { DeletePolicyCommand, DetachUserPolicyCommand, ListAttachedUserPoliciesCommand, ListUserTagsCommand, UntagUserCommand } from '@aws-sdk/client-iam';
import { consoleIam } from '../../infra/local/console';
import { env, type TestUser } from './iam';
import { sql } from './db';

/** Per-user windows (lib/windows) as IAM holds them, and cleaning them up after a spec. */

export const DAY = 86_400_000;
/** 00:00 UTC, `days` days from today. */
export const midnight = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY);
export const iamFor = (user: TestUser) => consoleIam({ motoUrl: env('E2E_MOTO_URL'), accountId: user.accountId, groundTruth: env('E2E_GROUND_TRUTH') });
export const policyName = (end: Date) => `MfaPortalEnforcement-until-${end.toISOString().slice(0, 16).replace(/[-:]/g, '')}Z`;

export async function windowState(user: TestUser) {
  const iam = await iamFor(user);
  try {
    const attached = ((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user.userName }))).AttachedPolicies ?? []).map((p) => p.PolicyName);
    const tag = ((await iam.send(new ListUserTagsCommand({ UserName: user.userName }))).Tags ?? []).find((t) => t.Key === 'mfa-window')?.Value ?? null;
    return { attached, tag };
  } finally {
    iam.destroy();
  }
}

/** The user's windows out of IAM and the database, the category and the stored rows gone: nothing left for other specs. */
export async function cleanUpWindows(users: TestUser[], categoryId: number | null) {
  for (const user of users) {
    const iam = await iamFor(user);
    try {
      await iam.send(new UntagUserCommand({ UserName: user.userName, TagKeys: ['mfa-window'] }));
      for (const p of (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user.userName }))).AttachedPolicies ?? []) {
        await iam.send(new DetachUserPolicyCommand({ UserName: user.userName, PolicyArn: p.PolicyArn! }));
        await iam.send(new DeletePolicyCommand({ PolicyArn: p.PolicyArn! })).catch(() => undefined);
      }
    } finally {
      iam.destroy();
    }
    await sql('DELETE FROM user_windows WHERE account_id = $1 AND user_name = $2', [user.accountId, user.userName]);
    await sql('DELETE FROM inventory_users WHERE account_id = $1 AND user_name = $2', [user.accountId, user.userName]);
  }
  if (categoryId !== null) await sql('DELETE FROM program_categories WHERE id = $1', [categoryId]);
}

