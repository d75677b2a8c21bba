'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { ok } from '@/lib/actions/result';
import { plural } from '@/lib/format';
import { sweepLeftovers, type SweepResult } from '@/lib/enrollment/leftovers';

export const sweepLeftoversAction = defineAction(
  { name: 'enrollment.sweep', role: 'admin', schema: z.object({}) },
  async (actor) => {
    const results = await sweepLeftovers(actor.id);
    const deleted = results.reduce((n, r) => n + r.deleted, 0);
    const failed = results.filter((r) => r.error).map((r) => r.accountId);
    return ok<SweepResult>(results, `Deleted ${plural(deleted, 'abandoned device')}.${failed.length ? ` Could not check ${failed.join(', ')}.` : ''}`);
  },
);
