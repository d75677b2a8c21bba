/**
 * The campaign's arithmetic, pure so it is unit-tested: a cohort's enrollments per day as a gap-free day series,
 * the rate over the last 7 and 14 days, and the projected completion date against the deadline.
 */

export const DAY_MS = 24 * 3600_000;

/** The longest day series a card shows; enrollments before its first day count in `before`. */
export const SERIES_MAX_DAYS = 90;
/** The projection uses the rate over this many days: long enough to smooth a quiet weekend. */
export const PROJECTION_WINDOW_DAYS = 14;

/** 00:00 UTC of the day `d` falls on. */
export const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
export const dayKey = (d: Date) => utcDay(d).toISOString().slice(0, 10);

export type DayCount = { day: string; enrolled: number };
export type DaySeries = {
  /** Every UTC day from the first to today, days without enrollments as 0. */
  days: (DayCount & { cumulative: number })[];
  /** Enrolled before the series' first day (they already had MFA when the campaign started, or long ago). */
  before: number;
  /** Enrolled, but the inventory has no enable date for the device that made them compliant. */
  unknownDate: number;
};

/**
 * Counts per UTC day (ISO `YYYY-MM-DD` keys, any order, days may repeat) as a series from the earliest day (at most
 * SERIES_MAX_DAYS before today) to today, with zeros where nobody enrolled. Days after today are counted as today.
 */
export function daySeries(counts: readonly DayCount[], unknownDate: number, now: Date): DaySeries {
  const today = utcDay(now).getTime();
  const floor = today - (SERIES_MAX_DAYS - 1) * DAY_MS;
  const byDay = new Map<number, number>();
  let before = 0;
  let first = today;
  for (const c of counts) {
    const t = Math.min(Date.parse(`${c.day}T00:00:00Z`), today);
    if (Number.isNaN(t)) throw new Error(`not a day: ${c.day}`);
    if (t < floor) {
      before += c.enrolled;
      continue;
    }
    byDay.set(t, (byDay.get(t) ?? 0) + c.enrolled);
    first = Math.min(first, t);
  }
  const days: DaySeries['days'] = [];
  let cumulative = before;
  for (let t = first; t <= today; t += DAY_MS) {
    const enrolled = byDay.get(t) ?? 0;
    cumulative += enrolled;
    days.push({ day: new Date(t).toISOString().slice(0, 10), enrolled, cumulative });
  }
  return { days, before, unknownDate };
}

/** Enrollments per day over the last `windowDays` days, today included (a day with none counts as 0). */
export function ratePerDay(series: DaySeries, windowDays: number, now: Date): number {
  const from = utcDay(now).getTime() - (windowDays - 1) * DAY_MS;
  const n = series.days.filter((d) => Date.parse(`${d.day}T00:00:00Z`) >= from).reduce((s, d) => s + d.enrolled, 0);
  return n / windowDays;
}

export type Projection =
  | { kind: 'complete' }
  | { kind: 'no-progress'; days: number }
  | { kind: 'on-track'; completion: Date; deadline: Date | null }
  | { kind: 'late'; completion: Date; deadline: Date; daysLate: number };

/**
 * When the remaining users will have enrolled at `rate` per day, from today: the day the last of them is due
 * (today + ceil(remaining / rate) days), against the deadline's day. No enrollment in the window: no projection.
 */
export function project(remaining: number, rate: number, deadline: Date | null, now: Date): Projection {
  if (remaining <= 0) return { kind: 'complete' };
  if (!(rate > 0)) return { kind: 'no-progress', days: PROJECTION_WINDOW_DAYS };
  const completion = new Date(utcDay(now).getTime() + Math.ceil(remaining / rate - 1e-9) * DAY_MS);
  if (!deadline) return { kind: 'on-track', completion, deadline: null };
  const due = utcDay(deadline).getTime();
  if (completion.getTime() <= due) return { kind: 'on-track', completion, deadline };
  return { kind: 'late', completion, deadline, daysLate: Math.round((completion.getTime() - due) / DAY_MS) };
}

/** The verdict as a short phrase, the same on the page, the exports and the digest. */
export function projectionText(p: Projection): string {
  switch (p.kind) {
    case 'complete':
      return 'complete';
    case 'no-progress':
      return `no progress in ${p.days} days`;
    case 'on-track':
      return 'on track';
    case 'late':
      return `${p.daysLate} day${p.daysLate === 1 ? '' : 's'} late`;
  }
}
