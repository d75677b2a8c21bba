import 'server-only';

/**
 * What this process has in flight, for graceful shutdown (shutdown.ts): background work to wait for, and the leases
 * it holds in the shared database, each with how to give it back. Held on globalThis: Next bundles the
 * instrumentation hook (which runs the shutdown) and the routes (which start inventory runs, apply events) separately.
 */
type Lifecycle = { draining: boolean; work: Set<Promise<unknown>>; leases: Map<string, () => Promise<void>> };
const holder = globalThis as unknown as { __mfaPortalLifecycle?: Lifecycle };
const state = (): Lifecycle => (holder.__mfaPortalLifecycle ??= { draining: false, work: new Set(), leases: new Map() });

/** The process is shutting down: schedulers and routes start no new background work. */
export function isDraining(): boolean {
  return state().draining;
}

export function beginDraining(): void {
  state().draining = true;
}

/** Background work shutdown waits for (until its deadline); returns the same promise. */
export function trackWork<T>(work: Promise<T>): Promise<T> {
  const { work: set } = state();
  set.add(work);
  const forget = () => set.delete(work);
  work.then(forget, forget);
  return work;
}

export function inFlightWork(): Promise<unknown>[] {
  return [...state().work];
}

/**
 * A lease this process holds (a running inventory run, a claimed IAM event, a rate-limit hold): given back by
 * `release` if the process stops while holding it. Call the returned function once it has ended normally.
 */
export function holdLease(key: string, release: () => Promise<void>): () => void {
  const { leases } = state();
  leases.set(key, release);
  return () => {
    if (leases.get(key) === release) leases.delete(key);
  };
}

export function heldLeases(): string[] {
  return [...state().leases.keys()];
}

/** Gives back every lease still held; each failure is counted, not thrown, so one does not keep the others. */
export async function releaseHeldLeases(): Promise<{ released: number; failed: number }> {
  const { leases } = state();
  const entries = [...leases.entries()];
  leases.clear();
  const results = await Promise.allSettled(entries.map(([, release]) => release()));
  const failed = results.filter((r) => r.status === 'rejected').length;
  return { released: results.length - failed, failed };
}

/** For tests: a fresh state. */
export function resetLifecycle(): void {
  holder.__mfaPortalLifecycle = undefined;
}
