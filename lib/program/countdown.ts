/** Deadlines as members read them: a UTC date and a countdown. Pure: `now` is passed in. */
import { formatDate, formatDateTimeUtc, plural } from '@/lib/format';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type Countdown = {
  /** "in 12 days", "in 5 hours", "overdue by 3 days" */
  text: string;
  overdue: boolean;
  /** Within a week and not yet passed: worth a warning. */
  soon: boolean;
};

/** The largest whole unit, rounded down: "in 12 days" until a full 12 days are left no more. */
function span(ms: number): string {
  if (ms >= DAY) return plural(Math.floor(ms / DAY), 'day');
  if (ms >= HOUR) return plural(Math.floor(ms / HOUR), 'hour');
  if (ms >= MINUTE) return plural(Math.floor(ms / MINUTE), 'minute');
  return 'less than a minute';
}

/**
 * Enforcement denies only after the deadline (DateGreaterThan), so the deadline instant itself is still "in
 * less than a minute"; one millisecond later it is overdue.
 */
export function countdown(deadline: Date, now: Date): Countdown {
  const ms = deadline.getTime() - now.getTime();
  if (ms >= 0) return { text: `in ${span(ms)}`, overdue: false, soon: ms < 7 * DAY };
  return { text: `overdue by ${span(-ms)}`, overdue: true, soon: false };
}

/** "15 Jul 2026, 00:00 UTC"; lib/format's formatDateTimeUtc under the name the member pages import. */
export const formatUtcDateTime = formatDateTimeUtc;

/** "15 Jul 2026" (a UTC calendar date, for expiries); lib/format's formatDate under the name the member pages import. */
export const formatUtcDate = formatDate;
