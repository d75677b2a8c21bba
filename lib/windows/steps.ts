import 'server-only';
import type { Db } from '@/lib/db/client';
import { auditedMutation } from '@/lib/audit/log';
import { getEnv } from '@/lib/env';
import { policyArn } from '@/lib/iam-identifiers';
import { isAwsError } from '@/lib/aws/errors';
import {
  attachUserPolicy,
  createWindowPolicy,
  deleteWindowPolicy,
  detachUserPolicy,
  untagUserWindow,
  tagUserWindow,
  windowPolicyAttachmentCount,
} from '@/lib/aws/window-writes';
import { IAM_POLICY_NAME_MAX, WINDOW_TAG, windowDocument, windowPolicyName, windowTagValue } from './policy';
import { policyJson } from '@/lib/enforcement/policy';

/*
 * The IAM steps of a window, each AWS write between an intent and an outcome audit row (lib/audit). The order is
 * fail-closed: open = create the policy if missing -> attach -> tag; close = untag -> detach -> delete if unattached.
 * A failure between two steps leaves the user under both the cohort statements and the window policy (stricter), never
 * under neither.
 */

export type StepContext = { db: Db; actorId: string; accountId: string; userName: string; action: 'window.open' | 'window.close' | 'window.repair'; detail?: Record<string, unknown> };

/** The enforcement policy's name and path (the window policies are named after it and live beside it). */
export function windowBase(): { name: string; path: string } {
  const env = getEnv();
  return { name: env.MFA_ENFORCEMENT_POLICY_NAME, path: env.MFA_ENFORCEMENT_POLICY_PATH };
}

/** The window policy of `end` in the account, or null when its name would exceed IAM's limit. */
export function windowPolicyOf(accountId: string, end: Date): { name: string; arn: string } | null {
  const base = windowBase();
  const name = windowPolicyName(base.name, end);
  if (name.length > IAM_POLICY_NAME_MAX) return null;
  return { name, arn: policyArn(accountId, base.path, name) };
}

const audited = <T>(ctx: StepContext, operation: string, run: () => Promise<T>, extra: Record<string, unknown> = {}) =>
  auditedMutation({ actor: ctx.actorId, action: ctx.action, target: `${ctx.accountId}/${ctx.userName}`, detail: { ...ctx.detail, ...extra } }, operation, run, ctx.db);

async function ensurePolicy(ctx: StepContext, end: Date, policy: { name: string; arn: string }): Promise<void> {
  if ((await windowPolicyAttachmentCount(ctx.accountId, policy.arn)) !== null) return;
  const description = `MFA Portal: denies everything but MFA self-service to the attached users without MFA after ${windowTagValue(end)}`;
  await audited(ctx, 'iam:CreatePolicy', () => createWindowPolicy(ctx.accountId, { name: policy.name, path: windowBase().path, document: policyJson(windowDocument(end)), description }), { policy: policy.name });
}

/** Create the window policy if missing, attach it to the user, tag the user: the window is in force when this returns. */
export async function putWindowInIam(ctx: StepContext, end: Date, policy: { name: string; arn: string }): Promise<void> {
  await ensurePolicy(ctx, end, policy);
  try {
    await audited(ctx, 'iam:AttachUserPolicy', () => attachUserPolicy(ctx.accountId, ctx.userName, policy.arn), { policy: policy.name });
  } catch (error) {
    // The last user of that end closed their window and deleted the policy between our check and the attach: once more.
    if (!isAwsError(error, 'NoSuchEntity')) throw error;
    await ensurePolicy(ctx, end, policy);
    await audited(ctx, 'iam:AttachUserPolicy', () => attachUserPolicy(ctx.accountId, ctx.userName, policy.arn), { policy: policy.name });
  }
  await audited(ctx, 'iam:TagUser', () => tagUserWindow(ctx.accountId, ctx.userName, WINDOW_TAG, windowTagValue(end)), { tag: `${WINDOW_TAG}=${windowTagValue(end)}` });
}

/** Detach a window policy from the user and delete it when nothing else holds it. */
export async function releasePolicy(ctx: StepContext, policy: { name: string; arn: string }): Promise<void> {
  await audited(ctx, 'iam:DetachUserPolicy', () => detachUserPolicy(ctx.accountId, ctx.userName, policy.arn), { policy: policy.name });
  await deleteIfUnattached(ctx, policy);
}

export async function deleteIfUnattached(ctx: StepContext, policy: { name: string; arn: string }): Promise<void> {
  if ((await windowPolicyAttachmentCount(ctx.accountId, policy.arn)) !== 0) return;
  await audited(ctx, 'iam:DeletePolicy', () => deleteWindowPolicy(ctx.accountId, policy.arn), { policy: policy.name });
}

/** Untag, then detach and delete the window's policy. A user gone from IAM has nothing left to untag or detach. */
export async function takeWindowOutOfIam(ctx: StepContext, policy: { name: string; arn: string } | null): Promise<void> {
  try {
    await audited(ctx, 'iam:UntagUser', () => untagUserWindow(ctx.accountId, ctx.userName, WINDOW_TAG), { tag: WINDOW_TAG });
  } catch (error) {
    if (!isAwsError(error, 'NoSuchEntity')) throw error;
    if (policy) await deleteIfUnattached(ctx, policy);
    return;
  }
  if (policy) await releasePolicy(ctx, policy);
}
