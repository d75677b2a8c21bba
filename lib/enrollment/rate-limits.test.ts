import { describe, expect, it } from 'vitest';
import { nextAllowedAt, RATE_LIMITS, rateLimitMessage, retryTime, waitPhrase } from './rate-limits';

const at = (iso: string) => new Date(`2026-12-04T${iso}Z`);

describe('nextAllowedAt', () => {
  const limit = { max: 3, windowMs: 15 * 60_000 };

  it('allows a try while fewer than max attempts are in the window', () => {
    expect(nextAllowedAt([], limit, at('19:30:00'))).toBeNull();
    expect(nextAllowedAt([at('19:20:00'), at('19:25:00')], limit, at('19:30:00'))).toBeNull();
  });

  it('ignores attempts older than the window', () => {
    expect(nextAllowedAt([at('19:00:00'), at('19:20:00'), at('19:25:00')], limit, at('19:30:00'))).toBeNull();
  });

  it('names the moment the oldest counted attempt leaves the window', () => {
    const attempts = [at('19:27:00'), at('19:18:30'), at('19:25:00')];
    expect(nextAllowedAt(attempts, limit, at('19:30:00'))).toEqual(at('19:33:30'));
  });

  it('with more than max attempts, waits until only max - 1 remain', () => {
    const attempts = [at('19:16:00'), at('19:18:00'), at('19:20:00'), at('19:22:00')];
    // The newest three are 19:18, 19:20, 19:22: the next try is when 19:18 leaves the window.
    expect(nextAllowedAt(attempts, limit, at('19:25:00'))).toEqual(at('19:33:00'));
  });

  it('each kind has its own limit and counts only its own event', () => {
    expect(new Set(Object.values(RATE_LIMITS).map((l) => l.event)).size).toBe(4);
    expect(Object.keys(RATE_LIMITS).sort()).toEqual(['cli-test', 'hardware', 'resync', 'virtual']);
  });
});

describe('the message gives the real time of the next try', () => {
  it('rounds the clock time up to the minute and says how long that is', () => {
    expect(retryTime(at('19:41:10'))).toBe('19:42 UTC');
    expect(retryTime(at('19:42:00'))).toBe('19:42 UTC');
    expect(waitPhrase(3 * 60_000 + 10_000)).toBe('in 4 minutes');
    expect(waitPhrase(60_000)).toBe('in 1 minute');
    expect(waitPhrase(20_000)).toBe('in less than a minute');
    expect(waitPhrase(2 * 3600_000)).toBe('in about 2 hours');
  });

  it('puts both in the sentence, with the limit that was hit', () => {
    const m = rateLimitMessage(RATE_LIMITS.resync, at('19:41:10'), at('19:37:30'));
    expect(m).toBe('Too many attempts: at most 10 failed resyncs in 15 minutes. Try again at 19:42 UTC (in 4 minutes).');
  });
});
