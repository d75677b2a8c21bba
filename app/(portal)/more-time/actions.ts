'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { principalRefSchema } from '@/lib/enrollment/ownership';
import { MAX_REQUEST_DAYS, requestExtension } from '@/lib/windows/extensions';

// A member asks for more time for one of their own IAM users (the session's principals; requestExtension checks).
export const requestExtensionAction = defineAction(
  {
    name: 'window.request',
    role: 'member',
    schema: z.object({
      user: principalRefSchema,
      days: z.coerce.number({ error: 'Enter a number of days.' }).int('Enter whole days.').min(1, 'At least 1 day.').max(MAX_REQUEST_DAYS, `At most ${MAX_REQUEST_DAYS} days.`),
      reason: z.string().trim().min(5, 'Say why (at least 5 characters).').max(500, 'At most 500 characters.'),
    }),
    revalidate: ['/', '/admin/requests'],
  },
  async (actor, input) => requestExtension(actor, input),
);
