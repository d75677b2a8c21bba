'use server';

import { z } from 'zod';
import { freeText } from '@/lib/actions/free-text';
import { defineAction } from '@/lib/actions/define-action';
import { principalRefSchema } from '@/lib/enrollment/ownership';
import { codePairSchema, otpCodeSchema } from '@/lib/enrollment/validation';
import { noteLocalConsoleSignIn } from '@/lib/aws/local-console-sign-in';
import { recordConsoleTest, removeDevice, resyncDevice, testDeviceWithKeys } from '@/lib/enrollment/devices';

const target = z.object({ principal: principalRefSchema, serial: z.string().trim().min(9).max(512) });

export const resyncAction = defineAction(
  {
    name: 'device.resync',
    role: 'member',
    schema: target
      .extend({
        deviceTime: z
          .string()
          .trim()
          .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'Enter the time as hours:minutes, e.g. 14:05.')
          .optional()
          .or(z.literal('').transform(() => undefined)),
        utcOffsetMinutes: z.coerce.number().int().min(-840).max(840).optional(),
      })
      .and(codePairSchema),
  },
  async (actor, input) => resyncDevice(actor, input.principal, input),
);

export const removeAction = defineAction({ name: 'device.remove', role: 'member', schema: target, revalidate: ['/devices', '/'] }, async (actor, input) =>
  removeDevice(actor, input.principal, input),
);

export const testCliAction = defineAction(
  {
    name: 'device.test-cli',
    role: 'member',
    schema: target.extend({
      accessKeyId: z.string().trim().regex(/^(AKIA|ASIA)[A-Z2-7]{16}$/, 'An access key ID is 20 characters, starting AKIA.'),
      secretAccessKey: z.string().trim().min(16, 'Enter the secret access key of this key ID.').max(128),
      code: otpCodeSchema,
    }),
  },
  async (actor, input) => testDeviceWithKeys(actor, input.principal, input),
);

export const recordConsoleTestAction = defineAction(
  {
    name: 'device.test-console',
    role: 'member',
    schema: target.extend({
      outcome: z.enum(['passed', 'failed'], { error: 'Choose whether the sign-in worked.' }),
      // Free text about the error seen; six-digit runs are dropped in case someone pastes a code.
      errorSeen: freeText()
        .trim()
        .max(300, 'Keep it under 300 characters.')
        .optional()
        .transform((v) => v?.replace(/\d{6}/g, '[digits]') || undefined),
    }),
  },
  async (actor, input) => {
    const result = await recordConsoleTest(actor, input.principal, input);
    // Only the local stack needs telling; AWS records a console sign-in by itself.
    if (result.status === 'success' && input.outcome === 'passed') await noteLocalConsoleSignIn(input.principal);
    return result;
  },
);
