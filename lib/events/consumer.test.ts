import { describe, expect, it, vi } from 'vitest';
import { pollRetryDelayMs, startEventLoop } from './consumer';

describe('pollRetryDelayMs', () => {
  it('doubles from 1 s to a 60 s ceiling, with up to half of it random', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => pollRetryDelayMs(n, () => 1))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect([1, 3, 7].map((n) => pollRetryDelayMs(n, () => 0))).toEqual([500, 2000, 30_000]);
  });
});

describe('startEventLoop when the queue fails', () => {
  it('waits longer after each failed poll in a row, and starts over after a poll succeeds', async () => {
    const asked: number[] = [];
    let polls = 0;
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // Three failures, one empty answer, two failures: then the test stops the loop.
    const receive = async () => {
      polls += 1;
      if (polls === 4) return [];
      if (polls >= 7) {
        stop();
        return [];
      }
      throw new Error('SQS unreachable');
    };
    const loop = startEventLoop('https://sqs.example/queue', { receive, retryDelayMs: (failures) => (asked.push(failures), 0) });
    await stopped;
    await loop.stop();
    expect(asked).toEqual([1, 2, 3, 1, 2]);
  });
});
