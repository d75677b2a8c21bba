'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { requestException, withdrawExceptionRequest } from '@/lib/program/exception-requests';
import { MAX_DB_ID } from '@/lib/actions/params';
import { exceptionRequestSchema } from '@/lib/program/program-input';
import { accountIdField, userNameField } from '@/lib/iam-identifiers';

const target = z.object({ accountId: accountIdField('Not an account id.'), userName: userNameField('Not an IAM user name.') });

/** A member asks for an exception for one of their own IAM users (ownership from the session, in the domain). */
export const requestOwnExceptionAction = defineAction(
  { name: 'program.exception.request', role: 'member', schema: () => target.and(exceptionRequestSchema(new Date())), revalidate: '/' },
  async (actor, { accountId, userName, ...request }) => requestException(actor, { accountId, userName }, request),
);

/** The requester takes back their own pending request (checked in the domain: requested_by is the session's identity). */
export const withdrawOwnExceptionAction = defineAction(
  { name: 'program.exception.withdraw', role: 'member', schema: z.object({ id: z.coerce.number().int().positive().max(MAX_DB_ID) }), revalidate: '/' },
  async (actor, { id }) => withdrawExceptionRequest(actor, id),
);
