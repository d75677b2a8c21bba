import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { installShutdown } from './process-shutdown';
import { reserveMs, shutDown, type ShutdownSteps } from './shutdown';

const never = () => new Promise<void>(() => undefined);
const after = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Steps that record the order they ran in. */
function recorder(inFlight: () => Promise<unknown>[]) {
  const order: string[] = [];
  const steps: ShutdownSteps = {
    stopIntake: () => void order.push('stop intake'),
    inFlight: () => {
      order.push('wait');
      return inFlight().map((p) => p.then(() => order.push('work done')));
    },
    releaseLeases: async () => {
      order.push('release leases');
      return { released: 2, failed: 0 };
    },
    closeDatabase: async () => void order.push('close database'),
  };
  return { order, steps };
}

describe('shutDown', () => {
  it('stops intake, waits for the work in flight, then releases leases, then closes the database', async () => {
    const { order, steps } = recorder(() => [after(50), after(10)]);
    const report = await shutDown(steps, 5000);
    expect(order).toEqual(['stop intake', 'wait', 'work done', 'work done', 'release leases', 'close database']);
    expect(report).toMatchObject({ abandoned: false, leases: { released: 2, failed: 0 }, databaseClosed: true });
  });

  it('abandons work still running at the deadline, keeping a reserve to release the leases and close the pool', async () => {
    vi.useFakeTimers();
    try {
      const { order, steps } = recorder(() => [never(), after(5)]);
      let report: Awaited<ReturnType<typeof shutDown>> | undefined;
      void shutDown(steps, 10_000).then((r) => (report = r));
      await vi.advanceTimersByTimeAsync(10_000 - reserveMs(10_000) - 1);
      expect(order).toEqual(['stop intake', 'wait', 'work done']);
      await vi.advanceTimersByTimeAsync(1);
      expect(report?.abandoned).toBe(true);
      expect(order).toEqual(['stop intake', 'wait', 'work done', 'release leases', 'close database']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('finishes within the grace period even when releasing the leases hangs', async () => {
    const { steps } = recorder(() => []);
    const report = await shutDown({ ...steps, releaseLeases: never as unknown as ShutdownSteps['releaseLeases'] }, 1000);
    expect(report.leases).toBe('timed out');
    expect(report.databaseClosed).toBe(true);
  });

  it('counts work that failed as finished', async () => {
    const { steps } = recorder(() => []);
    const report = await shutDown({ ...steps, inFlight: () => [Promise.reject(new Error('run failed'))] }, 1000);
    expect(report.abandoned).toBe(false);
  });
});

/** A stand-in for the process: signals, listeners and exit. */
function fakeProcess() {
  const proc = new EventEmitter() as unknown as NodeJS.Process & { exits: number[] };
  proc.exits = [];
  proc.exit = ((code?: number) => void proc.exits.push(code ?? 0)) as typeof process.exit;
  return proc;
}

describe('installShutdown', () => {
  it("waits for Next's HTTP drain (its process.exit(143)) before its own steps end, then exits 0", async () => {
    const proc = fakeProcess();
    const { order, steps } = recorder(() => []);
    // Next's start-server listener: drains HTTP, then exits 143.
    proc.on('SIGTERM', () =>
      void after(100).then(() => {
        order.push('http drained');
        proc.exit(143);
      }),
    );
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    installShutdown(2, steps, proc);
    proc.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(proc.exits).toEqual([0]), { timeout: 3000 });
    expect(order).toEqual(['stop intake', 'wait', 'http drained', 'release leases', 'close database']);
  });

  it('without another listener (NEXT_MANUAL_SIG_HANDLE) runs the steps and exits 0; a second signal starts nothing', async () => {
    const proc = fakeProcess();
    const { order, steps } = recorder(() => [after(20)]);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    installShutdown(2, steps, proc);
    proc.emit('SIGINT', 'SIGINT');
    proc.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(proc.exits).toEqual([0]), { timeout: 3000 });
    expect(order.filter((s) => s === 'stop intake')).toHaveLength(1);
  });

  it('exits within the grace period when closing the database never ends', async () => {
    const proc = fakeProcess();
    const { steps } = recorder(() => []);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.useFakeTimers();
    try {
      installShutdown(1, { ...steps, closeDatabase: never }, proc);
      proc.emit('SIGTERM', 'SIGTERM');
      await vi.advanceTimersByTimeAsync(999);
      expect(proc.exits).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
