import 'server-only';

/**
 * The order of a graceful shutdown, independent of signals and of Next (process-shutdown.ts wires those):
 * 1. stop taking new work (schedulers, the event consumer, new inventory runs);
 * 2. wait for what is in flight (HTTP requests, runs, the batch of events being applied) until the deadline;
 * 3. give back every lease this process still holds, so another instance takes over at once, not after it goes stale;
 * 4. close the database pool.
 * Steps 3 and 4 get a reserve of the grace period, so the whole shutdown ends within it.
 */
export type ShutdownSteps = {
  stopIntake: () => void;
  inFlight: () => Promise<unknown>[];
  releaseLeases: () => Promise<{ released: number; failed: number }>;
  closeDatabase: () => Promise<void>;
};

export type ShutdownReport = { abandoned: boolean; leases: { released: number; failed: number } | 'timed out'; databaseClosed: boolean; steps: string[] };

/** The part of the grace period kept for releasing leases and closing the pool. */
export const reserveMs = (graceMs: number) => Math.min(3000, Math.floor(graceMs / 5));

const within = <T>(work: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    work.then((value) => ({ done: true as const, value })),
    new Promise<{ done: false }>((resolve) => {
      timer = setTimeout(() => resolve({ done: false }), Math.max(0, ms));
    }),
  ]).finally(() => clearTimeout(timer));
};

export async function shutDown(steps: ShutdownSteps, graceMs: number, log: (line: string) => void = () => undefined): Promise<ShutdownReport> {
  const started = Date.now();
  const left = () => graceMs - (Date.now() - started);
  const done: string[] = [];
  steps.stopIntake();
  done.push('intake stopped');
  // Work that ends adds nothing new (intake is stopped); work that settles with an error is finished all the same.
  const waited = await within(Promise.allSettled(steps.inFlight()), left() - reserveMs(graceMs));
  const abandoned = !waited.done;
  done.push(abandoned ? 'in-flight work abandoned at the deadline' : 'in-flight work finished');
  if (abandoned) log('[mfa-portal] shutdown: in-flight work did not finish within the grace period; abandoning it');
  const released = await within(steps.releaseLeases(), Math.max(left() - 500, 100));
  const leases = released.done ? released.value : ('timed out' as const);
  done.push('leases released');
  const closed = await within(
    steps.closeDatabase().then(
      () => true,
      () => false,
    ),
    Math.max(left(), 100),
  );
  const databaseClosed = closed.done && closed.value;
  done.push(databaseClosed ? 'database closed' : 'database not closed');
  return { abandoned, leases, databaseClosed, steps: done };
}
