'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { fail, type ActionResult } from '@/lib/actions/result';
import { getEnv } from '@/lib/env';
import { principalRefSchema } from '@/lib/enrollment/ownership';
import { codePairSchema, deviceNameSchema, hardwareSerialSchema } from '@/lib/enrollment/validation';
import {
  cancelVirtualEnrollment,
  completeVirtualEnrollment,
  enrollmentCookieName,
  ENROLLMENT_TTL_MS,
  startVirtualEnrollment,
  type StartedEnrollment,
} from '@/lib/enrollment/virtual';
import { enrollHardwareToken } from '@/lib/enrollment/hardware';
import { checkForNewFidoKey, type FidoCheck } from '@/lib/enrollment/fido';
import { doneUrl } from '@/lib/enrollment/done-url';

const enrollmentId = z.string().uuid('This setup is not valid any more. Start again.');

async function setPendingCookie(id: string, sealed: string) {
  (await cookies()).set(enrollmentCookieName(id), sealed, {
    httpOnly: true,
    secure: getEnv().NEXTAUTH_URL.startsWith('https://'),
    sameSite: 'strict',
    path: '/enroll',
    maxAge: Math.floor(ENROLLMENT_TTL_MS / 1000),
  });
}

async function destroyPendingCookie(id: string) {
  (await cookies()).set(enrollmentCookieName(id), '', { httpOnly: true, path: '/enroll', maxAge: 0 });
}

export const startVirtualAction = defineAction(
  { name: 'enrollment.virtual.start', role: 'member', schema: z.object({ principal: principalRefSchema, deviceName: deviceNameSchema }) },
  async (actor, input): Promise<ActionResult<StartedEnrollment>> => {
    const result = await startVirtualEnrollment(actor, input.principal, { deviceName: input.deviceName });
    if (result.status !== 'success') return result;
    const { sealed, ...shown } = result.data;
    await setPendingCookie(shown.enrollmentId, sealed);
    return { status: 'success', data: shown };
  },
);

export const completeVirtualAction = defineAction(
  { name: 'enrollment.virtual.complete', role: 'member', schema: z.object({ enrollmentId }).and(codePairSchema), revalidate: '/' },
  async (actor, input): Promise<ActionResult> => {
    const sealed = (await cookies()).get(enrollmentCookieName(input.enrollmentId))?.value;
    const { result, done } = await completeVirtualEnrollment(actor, { ...input, sealed });
    if (done) await destroyPendingCookie(input.enrollmentId);
    if (result.status !== 'success') return result;
    redirect(doneUrl('virtual', result.data.accountId, result.data.userName));
  },
);

export const cancelVirtualAction = defineAction(
  { name: 'enrollment.virtual.cancel', role: 'member', schema: z.object({ enrollmentId }) },
  async (actor, input): Promise<ActionResult> => {
    const sealed = (await cookies()).get(enrollmentCookieName(input.enrollmentId))?.value;
    const result = await cancelVirtualEnrollment(actor, { enrollmentId: input.enrollmentId, sealed });
    await destroyPendingCookie(input.enrollmentId);
    return result.status === 'success' ? { status: 'idle' } : result;
  },
);

export const enrollHardwareAction = defineAction(
  {
    name: 'enrollment.hardware',
    role: 'member',
    schema: z.object({ principal: principalRefSchema, serial: hardwareSerialSchema }).and(codePairSchema),
    revalidate: '/',
  },
  async (actor, input): Promise<ActionResult> => {
    const result = await enrollHardwareToken(actor, input.principal, input);
    if (result.status !== 'success') return result;
    redirect(doneUrl('hardware', result.data.accountId, result.data.userName));
  },
);

export const checkFidoAction = defineAction(
  {
    name: 'enrollment.fido.check',
    role: 'member',
    schema: z.object({
      principal: principalRefSchema,
      baseline: z
        .string()
        .max(8 * 300)
        .transform((s) => s.split(',').filter(Boolean)),
    }),
  },
  async (actor, input): Promise<ActionResult<FidoCheck>> => {
    const result = await checkForNewFidoKey(actor, input.principal, input.baseline);
    // Only a found key changes the home page; `revalidate` cannot see the result, and revalidating on every poll
    // would re-render this page while the person is still adding the key.
    if (result.status === 'success' && result.data.found) revalidatePath('/');
    return result.status === 'success' || result.status === 'error' ? result : fail('Invalid', 'Could not check.');
  },
);
