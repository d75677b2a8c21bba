'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { requestException } from '@/lib/program/exception-requests';
import { exceptionRequestSchema } from '@/lib/program/program-input';
import { accountIdField, userNameField } from '@/lib/iam-identifiers';

const target = z.object({ accountId: accountIdField('Not an account id.'), userName: userNameField('Not an IAM user name.') });

/** A member asks for an exception for one of their own IAM users (ownership from the session, in the domain). */
export const requestOwnExceptionAction = defineAction(
  { name: 'program.exception.request', role: 'member', schema: () => target.and(exceptionRequestSchema(new Date())), revalidate: '/' },
  async (actor, { accountId, userName, ...request }) => requestException(actor, { accountId, userName }, request),
);
