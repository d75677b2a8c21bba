'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { fail, ok } from '@/lib/actions/result';
import { dbIdField } from '@/lib/actions/params';
import { startRefresh, getRun } from '@/lib/inventory/refresh';

// The dashboard's inventory refresh: start a run, then poll its progress.

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
