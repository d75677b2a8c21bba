'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { dbIdField } from '@/lib/actions/params';
import { decideExceptionRequest } from '@/lib/program/exception-requests';
import { exceptionVerdictSchema } from '@/lib/program/program-input';

/**
 * Approve or reject a pending request. Who may (an admin who did not ask) is the domain's rule, not this form's.
 * No revalidation: the request stays on screen with the outcome (and whether the requester was told) until the
 * admin reloads the register, instead of vanishing with its message.
 */
export const decideExceptionAction = defineAction(
  { name: 'program.exception.approve', role: 'admin', schema: z.object({ id: dbIdField() }).and(exceptionVerdictSchema) },
  async (actor, { id, ...verdict }) => decideExceptionRequest(actor, id, verdict),
);
