/**
 * Per-kind limits on code checks. Each kind counts only its own recorded attempts, so a person who used up
 * the resync tries can still test the CLI, and the message names the moment the oldest counted attempt
 * leaves the window (the earliest time the next try is allowed), not a vague "a few minutes".
 */
import { formatHourMinute } from '@/lib/format';

export type LimitKind = 'virtual' | 'hardware' | 'resync' | 'cli-test';

export type RateLimit = {
  kind: LimitKind;
  /** Attempts allowed inside the sliding window. */
  max: number;
  windowMs: number;
  /** Which recorded attempts count (enrollment event kind and outcome). */
  event: 'virtual.created' | 'hardware.enable' | 'device.resync' | 'device.test-cli';
  outcome: 'success' | 'failure';
  what: string;
};

const MINUTE = 60_000;

export const RATE_LIMITS: Record<LimitKind, RateLimit> = {
  // A setup allows MAX_CODE_ATTEMPTS checks, so this also bounds the virtual code checks per hour.
  virtual: { kind: 'virtual', max: 5, windowMs: 60 * MINUTE, event: 'virtual.created', outcome: 'success', what: 'authenticator-app setups in an hour' },
  hardware: { kind: 'hardware', max: 10, windowMs: 15 * MINUTE, event: 'hardware.enable', outcome: 'failure', what: 'wrong hardware-token codes in 15 minutes' },
  resync: { kind: 'resync', max: 10, windowMs: 15 * MINUTE, event: 'device.resync', outcome: 'failure', what: 'failed resyncs in 15 minutes' },
  'cli-test': { kind: 'cli-test', max: 10, windowMs: 15 * MINUTE, event: 'device.test-cli', outcome: 'failure', what: 'failed CLI tests in 15 minutes' },
};

/**
 * When the next attempt is allowed, from the times of the counted attempts: null when one is allowed now.
 * With `max` attempts inside the window, the next is allowed once the oldest of the newest `max` is `windowMs` old.
 */
export function nextAllowedAt(attempts: readonly Date[], limit: Pick<RateLimit, 'max' | 'windowMs'>, now: Date): Date | null {
  const inWindow = attempts
    .map((a) => a.getTime())
    .filter((t) => t > now.getTime() - limit.windowMs && t <= now.getTime())
    .sort((a, b) => b - a);
  if (inWindow.length < limit.max) return null;
  return new Date(inWindow[limit.max - 1]! + limit.windowMs);
}

/** "in 4 minutes" / "in 1 minute" / "in less than a minute", rounding up so the stated time is never too early. */
export function waitPhrase(ms: number): string {
  if (ms < MINUTE) return 'in less than a minute';
  const minutes = Math.ceil(ms / MINUTE);
  if (minutes < 90) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `in about ${Math.round(minutes / 60)} hours`;
}

/** The clock time shown, rounded up to the minute, so trying at that minute always works. */
export function retryTime(at: Date): string {
  const up = new Date(Math.ceil(at.getTime() / MINUTE) * MINUTE);
  return `${formatHourMinute(up)} UTC`;
}

export function rateLimitMessage(limit: Pick<RateLimit, 'max' | 'what'>, next: Date, now: Date): string {
  return `Too many attempts: at most ${limit.max} ${limit.what}. Try again at ${retryTime(next)} (${waitPhrase(next.getTime() - now.getTime())}).`;
}
