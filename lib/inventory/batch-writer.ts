import type { LimitFunction } from 'p-limit';

/**
 * One account's batches written in order, one at a time, each in `slot` (the run's bound on writes at once). `add`
 * starts a batch's write and returns as soon as the previous batch is written: the collection goes on while a batch
 * is written and is never more than one batch ahead, so an account holds at most two batches of rows. A failed write
 * fails the next `add` (and so the account's collection) or `flush`.
 */
export function batchWriter<T>(slot: LimitFunction, write: (batch: T, first: boolean) => Promise<void>) {
  let pending: Promise<void> = Promise.resolve();
  let first = true;
  return {
    add: async (batch: T): Promise<void> => {
      await pending;
      const isFirst = first;
      first = false;
      pending = slot(() => write(batch, isFirst));
      // Observed by the next add or by flush; never an unhandled rejection in between.
      pending.catch(() => undefined);
    },
    /** Resolves when every batch is written; rejects with a failed write. */
    flush: (): Promise<void> => pending,
    /** Resolves when no write is in flight, whatever their outcome. */
    settled: (): Promise<void> => pending.then(
      () => undefined,
      () => undefined,
    ),
  };
}
