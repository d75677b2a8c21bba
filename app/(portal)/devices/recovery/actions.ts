'use server';

import { z } from 'zod';
import { freeText } from '@/lib/actions/free-text';
import { defineAction } from '@/lib/actions/define-action';
import { principalRefSchema } from '@/lib/enrollment/ownership';
import { RECOVERY_WHAT } from '@/lib/db/schema/recovery';
import { cancelRecovery, reportLostDevice } from '@/lib/recovery/report';

// The IAM user comes from the form only as a choice among the session's own users (checked in the domain).
export const reportLostDeviceAction = defineAction(
  {
    name: 'recovery.report',
    role: 'member',
    schema: z.object({
      principal: principalRefSchema,
      serial: z.string().trim().min(9).max(512),
      what: z.enum(RECOVERY_WHAT, { error: 'Choose what happened to the device.' }),
      note: freeText({ multiline: true }).trim().max(500, 'Keep it under 500 characters.').optional(),
    }),
    revalidate: ['/devices', '/'],
  },
  async (actor, input) => reportLostDevice(actor, input.principal, input),
);

export const cancelRecoveryAction = defineAction(
  { name: 'recovery.cancel', role: 'member', schema: z.object({ id: z.coerce.number().int().positive() }), revalidate: ['/devices', '/'] },
  async (actor, input) => cancelRecovery(actor, input.id),
);
