import { describe, expect, it } from 'vitest';
import { countdown, formatUtcDate, formatUtcDateTime } from './countdown';

const now = new Date('2026-03-01T12:00:00Z');
const at = (iso: string) => new Date(iso);

describe('countdown', () => {
  it.each([
    ['2026-03-13T12:00:00Z', 'in 12 days'],
    ['2026-03-14T11:59:59Z', 'in 12 days'],
    ['2026-03-02T12:00:00Z', 'in 1 day'],
    ['2026-03-02T11:59:59Z', 'in 23 hours'],
    ['2026-03-01T17:00:00Z', 'in 5 hours'],
    ['2026-03-01T13:00:00Z', 'in 1 hour'],
    ['2026-03-01T12:40:00Z', 'in 40 minutes'],
    ['2026-03-01T12:01:00Z', 'in 1 minute'],
    ['2026-03-01T12:00:30Z', 'in less than a minute'],
    ['2026-03-01T12:00:00Z', 'in less than a minute'],
  ])('deadline %s reads "%s" and is not overdue', (deadline, text) => {
    expect(countdown(at(deadline), now)).toMatchObject({ text, overdue: false });
  });

  it.each([
    ['2026-02-26T12:00:00Z', 'overdue by 3 days'],
    ['2026-02-26T08:00:00Z', 'overdue by 3 days'],
    ['2026-02-28T12:00:00Z', 'overdue by 1 day'],
    ['2026-03-01T09:30:00Z', 'overdue by 2 hours'],
    ['2026-03-01T11:58:00Z', 'overdue by 2 minutes'],
    ['2026-03-01T11:59:59.999Z', 'overdue by less than a minute'],
  ])('deadline %s reads "%s" and is overdue', (deadline, text) => {
    expect(countdown(at(deadline), now)).toEqual({ text, overdue: true, soon: false });
  });

  it('calls a deadline within a week soon, and not one further out or passed', () => {
    expect(countdown(at('2026-03-08T11:59:59Z'), now).soon).toBe(true);
    expect(countdown(at('2026-03-08T12:00:00Z'), now).soon).toBe(false);
    expect(countdown(at('2026-02-28T12:00:00Z'), now).soon).toBe(false);
  });

  it('depends only on the two instants, not on the local time zone', () => {
    expect(countdown(at('2026-03-31T23:30:00+02:00'), at('2026-03-29T00:30:00+01:00')).text).toBe('in 2 days');
  });
});

describe('UTC formats', () => {
  it('formats in UTC whatever the server time zone', () => {
    expect(formatUtcDateTime(at('2026-07-14T23:30:00-02:00'))).toBe('15 Jul 2026, 01:30 UTC');
    expect(formatUtcDate(at('2026-07-14T23:30:00-02:00'))).toBe('15 Jul 2026');
  });
});
