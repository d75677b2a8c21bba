'use server';

import { z } from 'zod';
import { freeText } from '@/lib/actions/free-text';
import { defineAction } from '@/lib/actions/define-action';
import { approveRecovery, rejectRecovery } from '@/lib/recovery/decide';

const id = z.coerce.number().int().positive();

// Who may decide (not the reporter, not an owner of the IAM user) and the checklist are checked in the domain.
export const approveRecoveryAction = defineAction(
  {
    name: 'recovery.approve',
    role: 'admin',
    // Each ticked box posts `check-<n>` with the check's wording; the domain compares them with the current checklist.
    schema: z.looseObject({ id }).transform((v) => ({
      id: v.id,
      checked: Object.entries(v)
        .filter(([k, val]) => /^check-\d{1,2}$/.test(k) && typeof val === 'string')
        .map(([, val]) => val as string),
    })),
    revalidate: (input) => ['/admin/recovery', `/admin/recovery/${input.id}`],
  },
  async (actor, input) => approveRecovery(actor, input),
);

export const rejectRecoveryAction = defineAction(
  {
    name: 'recovery.reject',
    role: 'admin',
    schema: z.object({
      id,
      reason: freeText({ multiline: true }).trim().min(5, 'Tell the member why, in at least 5 characters.').max(500, 'Keep it under 500 characters.'),
    }),
    revalidate: (input) => ['/admin/recovery', `/admin/recovery/${input.id}`],
  },
  async (actor, input) => rejectRecovery(actor, input),
);
