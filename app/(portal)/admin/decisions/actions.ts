'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { ok, type ActionResult } from '@/lib/actions/result';
import { bulkDecide, getDecision, sameException, setDecision } from '@/lib/program/decisions';
import { bulkRequestException, requestException } from '@/lib/program/exception-requests';
import { decisionInputSchema } from '@/lib/program/program-input';
import { selectionOf } from '@/lib/program/selection';
import { MAX_DB_ID } from '@/lib/actions/params';
import { accountIdField, userNameField } from '@/lib/iam-identifiers';
import { userHref } from '@/app/(portal)/admin/tokens/user-link';

const target = z.object({ accountId: accountIdField('Not an account id.'), userName: userNameField('Not an IAM user name.') });

/** A request's result as the decision form shows it (its message says it went to the queue). */
const asDecision = <T, D>(r: ActionResult<T>, data: D): ActionResult<D> => (r.status === 'success' ? ok(data, r.message) : r);

// The decision's rules depend on the moment (an exception's expiry must lie ahead *now*): schemas built per request.
// A new or changed exception is not written: it becomes a request another admin approves (lib/program/exception-requests).
export const setDecisionAction = defineAction(
  { name: 'program.decision.set', role: 'admin', schema: () => target.and(decisionInputSchema(new Date())), revalidate: userHref },
  async (actor, { accountId, userName, ...decision }) => {
    const key = { accountId, userName };
    if (decision.decision === 'exception' && !sameException(await getDecision(actor, key), decision)) {
      return asDecision(await requestException(actor, key, { justification: decision.reason ?? '', expiresAt: decision.expiresAt ?? new Date(0) }), { changed: false });
    }
    return setDecision(actor, key, decision);
  },
);

/** `filters` is the users table's query string; `expected` the count the admin confirmed. */
export const bulkDecideAction = defineAction(
  {
    name: 'program.decision.bulk',
    role: 'admin',
    schema: () => z.object({ filters: z.string().max(2000), expected: z.coerce.number().int().min(1).max(MAX_DB_ID) }).and(decisionInputSchema(new Date())),
    revalidate: '/admin/users',
  },
  async (actor, { filters, expected, ...decision }) => {
    if (decision.decision === 'exception') {
      const r = await bulkRequestException(actor, selectionOf(filters), { justification: decision.reason ?? '', expiresAt: decision.expiresAt ?? new Date(0) }, expected);
      return asDecision(r, { changed: 0, unchanged: expected });
    }
    return bulkDecide(actor, selectionOf(filters), decision, expected);
  },
);
