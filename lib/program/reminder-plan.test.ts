import { describe, expect, it } from 'vitest';
import { allowedTypesText } from './resolve';
import {
  DAY_MS,
  buildReminderMessage,
  dueStep,
  enrollLink,
  parseReminderFilters,
  parseUserParam,
  relativeDeadline,
  reminderFiltersToSearch,
  runSummaryText,
  stepLabel,
  webhookPayload,
  type ReminderFacts,
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

const facts = (over: Partial<ReminderFacts> = {}): ReminderFacts => ({
  accountId: '222222222222',
  accountLabel: 'Development',
  userName: 'bob',
  ownerEmail: 'bob@example.com',
  categoryName: 'Developers <dev>',
  deadline: D,
  gap: 'no-mfa',
  allowedDeviceTypes: ['virtual', 'fido'],
  minDevices: 1,
  link: 'https://mfa.example.com/enroll?user=222222222222/bob',
  now: at(5),
  ...over,
});

describe('buildReminderMessage', () => {
  it('says who, where, what is missing, by when, what is allowed and where to go', () => {
    const m = buildReminderMessage(facts());
    expect(m.subject).toBe('Set up MFA for IAM user bob in Development in 5 days');
    for (const part of [
      'IAM user: bob',
      'AWS account: Development (222222222222)',
      'Category: Developers <dev>',
      'Deadline: Friday 20 March 2026 at 12:00 UTC (in 5 days)',
      'Missing: No MFA device',
      `Allowed devices: ${allowedTypesText(['virtual', 'fido'])}`,
      'https://mfa.example.com/enroll?user=222222222222/bob',
    ]) {
      expect(m.text).toContain(part);
    }
    expect(m.html).toContain('Developers &#60;dev&#62;');
    expect(m.html).not.toContain('<dev>');
    expect(m.html).toContain('href="https://mfa.example.com/enroll?user=222222222222/bob"');
  });

  it('explains a disallowed device type and a missing backup', () => {
    expect(buildReminderMessage(facts({ gap: 'disallowed-type' })).text).toContain('Missing: Only device types this category does not allow');
    expect(buildReminderMessage(facts({ gap: 'needs-backup', minDevices: 2 })).text).toContain('Missing: A backup device is required: 2 MFA devices of an allowed type in total');
  });

  it('says overdue once the deadline has passed (an admin may still send one)', () => {
    const m = buildReminderMessage(facts({ now: at(-2) }));
    expect(m.subject).toBe('MFA is overdue for IAM user bob in Development');
    expect(m.text).toContain('has passed');
    expect(m.text).toContain('(2 days ago)');
  });

  it('names an unlabelled account by its id once', () => {
    expect(buildReminderMessage(facts({ accountLabel: '222222222222' })).text).toContain('AWS account: 222222222222\n');
  });
});

describe('webhookPayload', () => {
  it('is Slack-compatible JSON: a text fallback and blocks, with mrkdwn escaped and the portal link as a button', () => {
    const f = facts();
    const p = webhookPayload(f, buildReminderMessage(f));
    expect(p.text).toContain('Set up MFA for IAM user bob in Development in 5 days (owner: bob@example.com)');
    expect(p.text).toContain(f.link);
    expect(p.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions']);
    const fields = p.blocks[1]!.type === 'section' ? p.blocks[1]!.fields!.map((x) => x.text) : [];
    expect(fields).toContain('*Category*\nDevelopers &lt;dev&gt;');
    expect(fields).toContain('*IAM user*\nbob');
    expect(p.blocks[3]).toEqual({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Set up MFA' }, url: f.link }] });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('says when there is no email tag', () => {
    const f = facts({ ownerEmail: null });
    expect(webhookPayload(f, buildReminderMessage(f)).text).toContain('(no email tag)');
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
