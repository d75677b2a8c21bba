'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { fail, ok } from '@/lib/actions/result';
import { endSessionAsAdmin } from '@/lib/auth/sessions';

export const endSessionAction = defineAction(
  {
    name: 'session.end',
    role: 'admin',
    schema: z.object({ sessionId: z.string().regex(/^[\w-]{43}$/, 'This is not a session of the portal.') }),
    revalidate: '/admin/sessions',
  },
  async (actor, { sessionId }) => {
    if (!(await endSessionAsAdmin(actor, sessionId))) return fail('AlreadyEnded', 'This session had already ended.');
    return ok(undefined, 'Session ended. Its cookie no longer opens the portal.');
  },
);
