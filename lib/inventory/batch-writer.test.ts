import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { batchWriter } from './batch-writer';

/** A write that finishes only when the test says so. */
function controlled() {
  const written: number[] = [];
  const started: number[] = [];
  const finish = new Map<number, (error?: Error) => void>();
  const write = (batch: number, first: boolean) =>
    new Promise<void>((resolve, reject) => {
      started.push(first ? -batch : batch);
      finish.set(batch, (error) => {
        if (error) reject(error);
        else {
          written.push(batch);
          resolve();
        }
      });
    });
  return { written, started, finish, write };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('batchWriter', () => {
  it('writes in order, one batch at a time, and lets the caller run at most one batch ahead', async () => {
    const c = controlled();
    const writer = batchWriter(pLimit(4), c.write);
    await writer.add(1);
    // The first write is running; the caller is free to collect batch 2.
    expect(c.started).toEqual([-1]);
    let second = false;
    const adding = writer.add(2).then(() => (second = true));
    await tick();
    // Batch 2 waits for batch 1's write: not started, and the caller is held.
    expect(c.started).toEqual([-1]);
    expect(second).toBe(false);
    c.finish.get(1)!();
    await adding;
    expect(c.started).toEqual([-1, 2]);
    let flushed = false;
    const flushing = writer.flush().then(() => (flushed = true));
    await tick();
    expect(flushed).toBe(false);
    c.finish.get(2)!();
    await flushing;
    expect(c.written).toEqual([1, 2]);
  });

  it('fails the next add with a failed write, and flush too', async () => {
    const c = controlled();
    const writer = batchWriter(pLimit(1), c.write);
    await writer.add(1);
    c.finish.get(1)!(new Error('database down'));
    await expect(writer.add(2)).rejects.toThrow('database down');
    await expect(writer.flush()).rejects.toThrow('database down');
    await expect(writer.settled()).resolves.toBeUndefined();
    expect(c.started).toEqual([-1]);
  });

  it('writes in the slot shared with other writers (its bound on writes at once)', async () => {
    const slot = pLimit(1);
    const a = controlled();
    const b = controlled();
    await batchWriter(slot, a.write).add(1);
    await batchWriter(slot, b.write).add(1);
    await tick();
    // One slot: b's write waits for a's.
    expect(b.started).toEqual([]);
    a.finish.get(1)!();
    await tick();
    expect(b.started).toEqual([-1]);
    b.finish.get(1)!();
  });
});
