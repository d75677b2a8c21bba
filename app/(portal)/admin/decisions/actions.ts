'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { bulkDecide, setDecision } from '@/lib/program/decisions';
import { decisionInputSchema } from '@/lib/program/program-input';
import { selectionOf } from '@/lib/program/selection';
import { MAX_DB_ID } from '@/lib/actions/params';
import { accountIdField, userNameField } from '@/lib/iam-identifiers';
import { userHref } from '@/app/(portal)/admin/tokens/user-link';

const target = z.object({ accountId: accountIdField('Not an account id.'), userName: userNameField('Not an IAM user name.') });

// The decision's rules depend on the moment (an exception's expiry must lie ahead *now*): schemas built per request.
export const setDecisionAction = defineAction(
  { name: 'program.decision.set', role: 'admin', schema: () => target.and(decisionInputSchema(new Date())), revalidate: userHref },
  async (actor, { accountId, userName, ...decision }) => setDecision(actor, { accountId, userName }, decision),
);

/** `filters` is the users table's query string; `expected` the count the admin confirmed. */
export const bulkDecideAction = defineAction(
  {
    name: 'program.decision.bulk',
    role: 'admin',
    schema: () => z.object({ filters: z.string().max(2000), expected: z.coerce.number().int().min(1).max(MAX_DB_ID) }).and(decisionInputSchema(new Date())),
    revalidate: '/admin/users',
  },
  async (actor, { filters, expected, ...decision }) => bulkDecide(actor, selectionOf(filters), decision, expected),
);
