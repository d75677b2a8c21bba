'use server';

import { z } from 'zod';
import { freeText } from '@/lib/actions/free-text';
import { defineAction } from '@/lib/actions/define-action';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { generateValidationReport } from '@/lib/inventory/report';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { startRefresh, getRun } from '@/lib/inventory/refresh';
import { verifyUserNow } from '@/lib/inventory/verify';
import { deactivateLostDevice } from '@/lib/enrollment/admin';
import { dbIdField } from '@/lib/actions/params';
import { awsFailure } from '@/lib/enrollment/messages';
import { isManagedAccount } from '@/lib/aws/clients';
import { sweepLeftovers, type SweepResult } from '@/lib/enrollment/leftovers';

export const sweepLeftoversAction = defineAction(
  { name: 'enrollment.sweep', role: 'admin', schema: z.object({}) },
  async (actor) => {
    const results = await sweepLeftovers(actor.id);
    const deleted = results.reduce((n, r) => n + r.deleted, 0);
    const failed = results.filter((r) => r.error).map((r) => r.accountId);
    return ok<SweepResult>(results, `Deleted ${deleted} abandoned device${deleted === 1 ? '' : 's'}.${failed.length ? ` Could not check ${failed.join(', ')}.` : ''}`);
  },
);

const targetSchema = z.object({
  accountId: z.string().regex(/^\d{12}$/, 'Not an account id.'),
  userName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'Not an IAM user name.'),
});

export const refreshInventoryAction = defineAction({ name: 'inventory.refresh', role: 'admin', schema: z.object({}) }, async (actor) => {
  const result = await startRefresh({ actor: actor.id, trigger: 'manual' });
  return ok<{ runId: number; alreadyRunning: boolean }>(
    result.started ? { runId: result.runId, alreadyRunning: false } : { runId: result.runningRunId, alreadyRunning: true },
    result.started ? 'Inventory refresh started.' : 'A refresh is already running; showing its progress.',
  );
});

export type RunProgressView = { status: string; accountsDone: number; accountsTotal: number; usersSeen: number; phase: string; error: string | null };

export const runProgressAction = defineAction(
  { name: 'inventory.progress', role: 'admin', schema: z.object({ runId: dbIdField() }) },
  async (_actor, input) => {
    const run = await getRun(input.runId);
    if (!run) return fail('NoSuchRun', 'That inventory run does not exist.');
    const p = run.progress;
    return ok<RunProgressView>({
      status: run.status,
      accountsDone: Number(p.accountsDone ?? 0),
      accountsTotal: Number(p.accountsTotal ?? 0),
      usersSeen: Number(p.usersSeen ?? 0),
      phase: String(p.phase ?? ''),
      error: run.error,
    });
  },
);

export const verifyUserAction = defineAction({ name: 'inventory.verify-user', role: 'admin', schema: targetSchema }, async (actor, input) => {
  if (!isManagedAccount(input.accountId)) return fail('UnmanagedAccount', 'The portal does not manage that account.');
  const arn = `arn:aws:iam::${input.accountId}:user/${input.userName}`;
  try {
    await verifyUserNow(actor, { ...input, arn });
  } catch (error) {
    return awsFailure(error);
  }
  revalidatePath(`/admin/users/${input.accountId}/${encodeURIComponent(input.userName)}`);
  return ok(undefined, 'Re-checked live with AWS just now.');
});

export const deactivateLostDeviceAction = defineAction(
  {
    name: 'device.deactivate-lost',
    role: 'admin',
    schema: targetSchema.extend({
      serial: z.string().trim().min(9).max(512),
      reason: freeText().trim().min(5, 'Say why (e.g. "phone lost, confirmed by a call to the owner").').max(300),
      // The confirm step: the form states what will happen and the admin ticks that they understood it.
      confirm: z.literal('yes', 'Tick the box to confirm that you understand what happens.'),
    }),
  },
  async (actor, input): Promise<ActionResult<{ serial: string }>> => {
    const result = await deactivateLostDevice(actor, input, input);
    if (result.status !== 'success') return result;
    // The device leaves the page, and its form with it: say what happened at page level.
    redirect(`/admin/users/${input.accountId}/${encodeURIComponent(input.userName)}?deactivated=${encodeURIComponent(input.serial)}`);
  },
);

export const generateReportAction = defineAction({ name: 'report.generate', role: 'admin', schema: z.object({}) }, async (actor): Promise<ActionResult> => {
  const { id } = await generateValidationReport(actor);
  redirect(`/admin/report?id=${id}`);
});
