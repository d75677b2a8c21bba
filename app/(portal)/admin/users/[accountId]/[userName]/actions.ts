'use server';

import { z } from 'zod';
import { redirect } from 'next/navigation';
import { freeText } from '@/lib/actions/free-text';
import { defineAction } from '@/lib/actions/define-action';
import { fail, ok, type ActionResult } from '@/lib/actions/result';
import { verifyUserNow } from '@/lib/inventory/verify';
import { deactivateLostDevice } from '@/lib/enrollment/admin';
import { awsFailure } from '@/lib/enrollment/messages';
import { isManagedAccount } from '@/lib/accounts/registry';
import { accountIdField, userArn, userNameField } from '@/lib/iam-identifiers';
import { userHref } from '@/app/(portal)/admin/tokens/user-link';

const targetSchema = z.object({ accountId: accountIdField('Not an account id.'), userName: userNameField('Not an IAM user name.') });

export const verifyUserAction = defineAction(
  { name: 'inventory.verify-user', role: 'admin', schema: targetSchema, revalidate: userHref },
  async (actor, input) => {
    if (!(await isManagedAccount(input.accountId))) return fail('UnmanagedAccount', 'The portal does not manage that account.');
    try {
      await verifyUserNow(actor, { ...input, arn: userArn(input.accountId, input.userName) });
    } catch (error) {
      return awsFailure(error);
    }
    return ok(undefined, 'Re-checked live with AWS just now.');
  },
);

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
    redirect(`${userHref(input)}?deactivated=${encodeURIComponent(input.serial)}`);
  },
);
