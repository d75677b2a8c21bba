'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { ok } from '@/lib/actions/result';
import { sweepLeftovers, type SweepResult } from '@/lib/enrollment/leftovers';
import { recordAudit } from '@/lib/audit/log';
import { getDb } from '@/lib/db/client';

export const sweepLeftoversAction = defineAction(
  { name: 'enrollment.sweep', role: 'admin', schema: z.object({}) },
  async (actor) => {
    const results = await sweepLeftovers(actor.id);
    await recordAudit(await getDb(), { actor: actor.id, action: 'enrollment.sweep', outcome: 'success', detail: { results } });
    const deleted = results.reduce((n, r) => n + r.deleted, 0);
    const failed = results.filter((r) => r.error).map((r) => r.accountId);
    return ok<SweepResult>(results, `Deleted ${deleted} abandoned device${deleted === 1 ? '' : 's'}.${failed.length ? ` Could not check ${failed.join(', ')}.` : ''}`);
  },
);
