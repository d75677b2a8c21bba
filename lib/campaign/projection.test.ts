import { describe, expect, it } from 'vitest';
import { SERIES_MAX_DAYS, daySeries, project, projectionText, ratePerDay } from './projection';

const now = new Date('2026-12-05T10:30:00Z');

describe('daySeries', () => {
  it('fills the days without enrollments with zeros, from the first enrollment to today', () => {
    const s = daySeries(
      [
        { day: '2026-12-01', enrolled: 2 },
        { day: '2026-12-04', enrolled: 1 },
        { day: '2026-12-01', enrolled: 1 },
      ],
      0,
      now,
    );
    expect(s.days).toEqual([
      { day: '2026-12-01', enrolled: 3, cumulative: 3 },
      { day: '2026-12-02', enrolled: 0, cumulative: 3 },
      { day: '2026-12-03', enrolled: 0, cumulative: 3 },
      { day: '2026-12-04', enrolled: 1, cumulative: 4 },
      { day: '2026-12-05', enrolled: 0, cumulative: 4 },
    ]);
  });

  it(`counts enrollments older than ${SERIES_MAX_DAYS} days in "before" and starts the cumulative count there`, () => {
    const s = daySeries(
      [
        { day: '2025-01-01', enrolled: 5 },
        { day: '2026-12-05', enrolled: 1 },
      ],
      2,
      now,
    );
    expect(s.before).toBe(5);
    expect(s.unknownDate).toBe(2);
    expect(s.days).toEqual([{ day: '2026-12-05', enrolled: 1, cumulative: 6 }]);
  });

  it('with no enrollments at all is today alone, at zero', () => {
    expect(daySeries([], 0, now).days).toEqual([{ day: '2026-12-05', enrolled: 0, cumulative: 0 }]);
  });

  it('counts a device enabled "tomorrow" (a clock ahead) as today', () => {
    expect(daySeries([{ day: '2026-12-06', enrolled: 1 }], 0, now).days).toEqual([{ day: '2026-12-05', enrolled: 1, cumulative: 1 }]);
  });
});

describe('ratePerDay', () => {
  const s = daySeries(
    [
      { day: '2026-11-20', enrolled: 14 }, // 16 days ago: outside both windows
      { day: '2026-11-22', enrolled: 7 }, // 14 days ago counting today: inside the 14-day window only
      { day: '2026-11-29', enrolled: 3 }, // 7 days ago counting today: inside both
      { day: '2026-12-05', enrolled: 4 },
    ],
    0,
    now,
  );
  it('averages over the window, today included, days without enrollments as zero', () => {
    expect(ratePerDay(s, 7, now)).toBe(1);
    expect(ratePerDay(s, 14, now)).toBe(1);
    expect(ratePerDay(s, 16, now)).toBe(28 / 16);
  });
});

describe('project', () => {
  const deadline = new Date('2026-12-20T00:00:00Z');
  it('is complete with nobody remaining, whatever the rate', () => {
    expect(project(0, 0, deadline, now)).toEqual({ kind: 'complete' });
  });
  it('has no projection when nobody enrolled in the window', () => {
    const p = project(5, 0, deadline, now);
    expect(p).toEqual({ kind: 'no-progress', days: 14 });
    expect(projectionText(p)).toBe('no progress in 14 days');
  });
  it('is on track when the last remaining user is due on or before the deadline day', () => {
    // 30 remaining at 2 a day: 15 days from 5 Dec is 20 Dec, the deadline's day.
    const p = project(30, 2, deadline, now);
    expect(p).toEqual({ kind: 'on-track', completion: new Date('2026-12-20T00:00:00Z'), deadline });
    expect(projectionText(p)).toBe('on track');
  });
  it('is late by the days between the deadline and the projected completion, rounding the days needed up', () => {
    // 31 remaining at 2 a day: 15.5 days, so the 16th day, 21 Dec: one day late.
    const p = project(31, 2, deadline, now);
    expect(p).toEqual({ kind: 'late', completion: new Date('2026-12-21T00:00:00Z'), deadline, daysLate: 1 });
    expect(projectionText(p)).toBe('1 day late');
    expect(projectionText(project(10, 0.5, deadline, now))).toBe('5 days late');
  });
  it('is late when the deadline has passed and people remain', () => {
    const p = project(1, 1, new Date('2026-12-01T12:00:00Z'), now);
    expect(p).toMatchObject({ kind: 'late', daysLate: 5 });
  });
});
