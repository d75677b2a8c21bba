import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  dueStep,
  enrollLink,
  parseReminderFilters,
  parseUserParam,
  relativeDeadline,
  reminderFiltersToSearch,
  runSummaryText,
  stepLabel,
} from './reminder-plan';

const D = new Date('2026-03-20T12:00:00Z');
const at = (daysBefore: number, extraMs = 0) => new Date(D.getTime() - daysBefore * DAY_MS + extraMs);
const days = [14, 7, 1];

describe('dueStep', () => {
  it('is nothing before the first step', () => {
    expect(dueStep(D, days, at(30))).toBeNull();
    expect(dueStep(D, days, at(14, -1))).toBeNull();
  });

  it('starts exactly at deadline − N days', () => {
    expect(dueStep(D, days, at(14))).toEqual({ days: 14, key: '14d' });
    expect(dueStep(D, days, at(7))).toEqual({ days: 7, key: '7d' });
    expect(dueStep(D, days, at(1))).toEqual({ days: 1, key: '1d' });
  });

  it('is the smallest step whose day has come', () => {
    expect(dueStep(D, days, at(10))?.key).toBe('14d');
    expect(dueStep(D, days, at(7, -1))?.key).toBe('14d');
    expect(dueStep(D, days, at(3))?.key).toBe('7d');
    expect(dueStep(D, days, at(0.5))?.key).toBe('1d');
    expect(dueStep(D, days, new Date(D.getTime() - 1))?.key).toBe('1d');
  });

  it('sends nothing at or after the deadline', () => {
    expect(dueStep(D, days, D)).toBeNull();
    expect(dueStep(D, days, at(-1))).toBeNull();
  });

  it('does not catch up a missed step: a program that starts 5 days out sends the 7-day step, never the 14-day one', () => {
    expect(dueStep(D, days, at(5))).toEqual({ days: 7, key: '7d' });
  });

  it('follows changed reminder days, in any order', () => {
    expect(dueStep(D, [3, 10], at(5))?.key).toBe('10d');
    expect(dueStep(D, [3, 10], at(2))?.key).toBe('3d');
    expect(dueStep(D, [30], at(2))?.key).toBe('30d');
    expect(dueStep(D, [], at(2))).toBeNull();
  });
});

describe('labels and links', () => {
  it('names steps', () => {
    expect(stepLabel('14d')).toBe('14 days before');
    expect(stepLabel('1d')).toBe('1 day before');
    expect(stepLabel('manual-2026-03-01T00:00:00.000Z-ab12')).toBe('Sent now by an admin');
  });

  it('links to the enrollment page for that IAM user, as /enroll reads ?user=', () => {
    expect(enrollLink('https://mfa.example.com/', '111111111111', 'alice')).toBe('https://mfa.example.com/enroll?user=111111111111/alice');
    expect(enrollLink('https://mfa.example.com', '111111111111', 'a+b=c,d@e')).toBe('https://mfa.example.com/enroll?user=111111111111/a%2Bb%3Dc%2Cd%40e');
    const parsed = new URL(enrollLink('https://mfa.example.com', '111111111111', 'a+b@c')).searchParams.get('user');
    expect(parsed).toBe('111111111111/a+b@c');
  });

  it('says how far the deadline is', () => {
    expect(relativeDeadline(D, at(5))).toBe('in 5 days');
    expect(relativeDeadline(D, at(7, 60_000))).toBe('in 7 days');
    expect(relativeDeadline(D, at(1))).toBe('in 1 day');
    expect(relativeDeadline(D, at(0.5))).toBe('in less than a day');
    expect(relativeDeadline(D, at(0.01))).toBe('in less than an hour');
    expect(relativeDeadline(D, at(-3))).toBe('3 days ago');
  });
});

describe('record filters', () => {
  it('reads status, user and page, and ignores what it does not understand', () => {
    expect(parseReminderFilters({ status: 'failed', q: 'bob', page: '2' })).toEqual({ status: 'failed', q: 'bob', page: 2, pageSize: 25 });
    expect(parseReminderFilters({ status: 'bogus', q: 'x y<', page: '-1' })).toEqual({ status: undefined, q: undefined, page: 1, pageSize: 25 });
    expect(parseReminderFilters({})).toEqual({ status: undefined, q: undefined, page: 1, pageSize: 25 });
  });

  it('writes them back to a query string', () => {
    expect(reminderFiltersToSearch({ status: 'sent', q: 'bob', page: 3 })).toBe('status=sent&q=bob&page=3');
    expect(reminderFiltersToSearch({ page: 1 })).toBe('');
  });
});

describe('page helpers', () => {
  it('reads the ?user= prefill', () => {
    expect(parseUserParam('222222222222/bob')).toEqual({ accountId: '222222222222', userName: 'bob' });
    expect(parseUserParam(['111111111111/a+b@c', 'x'])).toEqual({ accountId: '111111111111', userName: 'a+b@c' });
    expect(parseUserParam('12345/bob')).toBeNull();
    expect(parseUserParam('222222222222/bad name')).toBeNull();
    expect(parseUserParam(undefined)).toBeNull();
  });

  it('summarises a run in one sentence', () => {
    const base = { off: false, due: 0, sent: 0, failed: 0, skipped: 0, alreadySent: 0, markedUnknown: 0 };
    expect(runSummaryText({ ...base, off: true })).toMatch(/^Reminders are off/);
    expect(runSummaryText(base)).toBe('Nothing is due right now.');
    expect(runSummaryText({ ...base, due: 4, sent: 2, failed: 1, alreadySent: 1, markedUnknown: 1 })).toBe(
      '4 reminders due: 2 sent, 1 failed, 0 skipped (no email tag), 1 already sent. 1 earlier send that never finished marked unknown.',
    );
  });
});
