/**
 * The order a run takes its accounts in: largest first by their users in the current inventory, accounts not read
 * before (size unknown) ahead of all. The pool then ends on small accounts that finish together, instead of its
 * last slot reading a large account alone while the others stand idle (longest-processing-time-first scheduling).
 * Ties keep the given order.
 */
export function collectionOrder(accountIds: readonly string[], usersByAccount: ReadonlyMap<string, number>): string[] {
  const size = (id: string) => usersByAccount.get(id) ?? Number.POSITIVE_INFINITY;
  return accountIds
    .map((id, index) => ({ id, index }))
    .sort((a, b) => size(b.id) - size(a.id) || a.index - b.index)
    .map((a) => a.id);
}
