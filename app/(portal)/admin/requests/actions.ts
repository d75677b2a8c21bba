'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { MAX_DB_ID } from '@/lib/actions/params';
import { decideRequest } from '@/lib/windows/extensions';

// An admin approves or rejects a member's request for more time; never their own (decideRequest checks).
export const decideRequestAction = defineAction(
  {
    name: 'window.decide',
    role: 'admin',
    schema: z.object({
      id: z.coerce.number().int().min(1).max(MAX_DB_ID),
      decision: z.enum(['approve', 'reject'], { error: 'Choose approve or reject.' }),
      note: z.string().trim().max(500, 'At most 500 characters.').default(''),
    }),
    revalidate: ['/admin/requests', '/'],
  },
  async (actor, { id, decision, note }) => decideRequest(actor, { id, approve: decision === 'approve', note }),
);
