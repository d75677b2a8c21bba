import { describe, expect, it } from 'vitest';
import { formatCount, formatDate, formatDateTime, formatDateTimeSeconds, formatDateTimeUtc, formatDayMonth, formatHourMinute, formatLongDate, isoDay, isoMinute, plural } from './format';

const d = new Date('2026-07-15T23:30:12Z');

describe('format', () => {
  it('writes dates in UTC, whatever the machine zone', () => {
    expect(formatDate(d)).toBe('15 Jul 2026');
    expect(formatLongDate(d)).toBe('15 July 2026');
    expect(formatDateTime(d)).toBe('15 Jul 2026, 23:30');
    expect(formatDateTimeUtc(d)).toBe('15 Jul 2026, 23:30 UTC');
    expect(formatDateTimeSeconds(d)).toBe('15 Jul 2026, 23:30:12');
    expect(formatDayMonth(d)).toBe('15 Jul');
    expect(formatHourMinute(d)).toBe('23:30');
    expect(isoDay(d)).toBe('2026-07-15');
    expect(isoMinute(d)).toBe('2026-07-15T23:30');
  });

  it('counts with separators and plurals', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(plural(0, 'user')).toBe('0 users');
    expect(plural(1, 'user')).toBe('1 user');
    expect(plural(1234, 'user')).toBe('1,234 users');
    expect(plural(2, 'policy', 'policies')).toBe('2 policies');
  });
});
