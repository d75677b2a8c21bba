'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { dbIdField } from '@/lib/actions/params';
import { decideExceptionRequest } from '@/lib/program/exception-requests';
import { exceptionVerdictSchema } from '@/lib/program/program-input';

/** Approve or reject a pending request. Who may (an admin who did not ask) is the domain's rule, not this form's. */
export const decideExceptionAction = defineAction(
  { name: 'program.exception.approve', role: 'admin', schema: z.object({ id: dbIdField() }).and(exceptionVerdictSchema), revalidate: '/admin/exceptions' },
  async (actor, { id, ...verdict }) => decideExceptionRequest(actor, id, verdict),
);
