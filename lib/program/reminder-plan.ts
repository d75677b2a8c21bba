/**
 * The pure parts of reminders: which step is due, the message and its webhook shape, the record's filters.
 * No I/O; `now` is always passed in.
 */
import { z } from 'zod';
import type { DeviceType } from '@/lib/db/schema';
import { formatLongDate, formatHourMinute, plural } from '@/lib/format';
import { IAM_NAME_CHARS, parseUserRef } from '@/lib/iam-identifiers';
import { allowedTypesText, programGapText, type ProgramGap } from './resolve';

export const DAY_MS = 24 * 60 * 60 * 1000;

export type DueStep = { days: number; key: string };

/**
 * The reminder due at `now` for a deadline: the smallest N of `days` with deadline − N days <= now < deadline.
 * One step at a time: a step whose day has passed before anyone ran reminders (the program started late) is
 * never sent, because a later, smaller step is due instead. From the deadline on, nothing is due.
 */
export function dueStep(deadline: Date, days: readonly number[], now: Date): DueStep | null {
  const left = deadline.getTime() - now.getTime();
  if (left <= 0) return null;
  const due = days.filter((n) => Number.isInteger(n) && n > 0 && left <= n * DAY_MS);
  if (due.length === 0) return null;
  const n = Math.min(...due);
  return { days: n, key: `${n}d` };
}

/** "14d" -> "14 days before"; a manual step -> "Sent now". */
export function stepLabel(step: string): string {
  const m = /^(\d+)d$/.exec(step);
  if (m) return `${plural(Number(m[1]), 'day')} before`;
  const e = /^exception-(\d+)d$/.exec(step);
  if (e) return `Exception ends in ${plural(Number(e[1]), 'day')}`;
  return step.startsWith('manual-') ? 'Sent now by an admin' : step;
}

/** The enrollment page for one IAM user: /enroll picks the user from `?user=<accountId>/<userName>`. */
export function enrollLink(portalUrl: string, accountId: string, userName: string): string {
  return `${portalUrl.replace(/\/+$/, '')}/enroll?user=${accountId}/${encodeURIComponent(userName)}`;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "Monday 2 March 2026 at 17:00 UTC" */
export const formatDeadline = (d: Date) => `${WEEKDAYS[d.getUTCDay()]} ${formatLongDate(d)} at ${formatHourMinute(d)} UTC`;

/** "in 5 days", "in 1 day", "in less than an hour", or "3 days ago" once passed. */
export function relativeDeadline(deadline: Date, now: Date): string {
  const left = deadline.getTime() - now.getTime();
  if (left <= 0) {
    const ago = Math.floor(-left / DAY_MS);
    return ago === 0 ? 'today, already passed' : `${plural(ago, 'day')} ago`;
  }
  if (left < 60 * 60 * 1000) return 'in less than an hour';
  if (left < DAY_MS) return 'in less than a day';
  const days = Math.round(left / DAY_MS);
  return `in ${plural(days, 'day')}`;
}

export type ReminderFacts = {
  accountId: string;
  accountLabel: string;
  userName: string;
  ownerEmail: string | null;
  categoryName: string | null;
  deadline: Date;
  gap: ProgramGap | null;
  allowedDeviceTypes: readonly DeviceType[];
  minDevices: number;
  link: string;
  now: Date;
};

export type ReminderMessage = { subject: string; text: string; html: string; missing: string; when: string };

function missingText(f: Pick<ReminderFacts, 'gap' | 'minDevices'>): string {
  if (f.gap === 'needs-backup') return `${programGapText['needs-backup']}: ${f.minDevices} MFA devices of an allowed type in total`;
  return f.gap ? programGapText[f.gap] : 'MFA that meets the program';
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What the person is told: which IAM user, what is missing, by when, and where to fix it. Never a secret. */
export function buildReminderMessage(f: ReminderFacts): ReminderMessage {
  const account = f.accountLabel === f.accountId ? f.accountId : `${f.accountLabel} (${f.accountId})`;
  const when = `${formatDeadline(f.deadline)} (${relativeDeadline(f.deadline, f.now)})`;
  const passed = f.deadline.getTime() <= f.now.getTime();
  const missing = missingText(f);
  const allowed = allowedTypesText(f.allowedDeviceTypes);
  const subject = passed
    ? `MFA is overdue for IAM user ${f.userName} in ${f.accountLabel}`
    : `Set up MFA for IAM user ${f.userName} in ${f.accountLabel} ${relativeDeadline(f.deadline, f.now)}`;
  const facts: [string, string][] = [
    ['IAM user', f.userName],
    ['AWS account', account],
    ['Category', f.categoryName ?? '—'],
    ['Deadline', when],
    ['Missing', missing],
    ['Allowed devices', allowed],
  ];
  const lead = passed
    ? `The deadline for multi-factor authentication (MFA) on your IAM user ${f.userName} has passed. Until MFA is set up, its AWS access may be limited to setting up MFA.`
    : `Your IAM user ${f.userName} needs multi-factor authentication (MFA) before its deadline. After the deadline, its AWS access may be limited to setting up MFA.`;
  const text = [
    lead,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    `Set it up in the MFA portal: ${f.link}`,
    '',
    'You receive this because the IAM user is tagged with your email address. Questions: reply to your cloud administrators, not to this message.',
  ].join('\n');
  const html = [
    `<p>${escapeHtml(lead)}</p>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...facts.map(([k, v]) => `<tr><th align="left" style="padding-right:12px">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    `<p><a href="${escapeHtml(f.link)}">Set up MFA in the MFA portal</a></p>`,
    '<p style="color:#555">You receive this because the IAM user is tagged with your email address.</p>',
  ].join('\n');
  return { subject, text, html, missing, when };
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text?: { type: 'mrkdwn'; text: string }; fields?: { type: 'mrkdwn'; text: string }[] }
  | { type: 'actions'; elements: { type: 'button'; text: { type: 'plain_text'; text: string }; url: string }[] };

export type WebhookPayload = { text: string; blocks: SlackBlock[] };

/** Slack's mrkdwn treats &, < and > as markup. */
const mrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack-compatible JSON (incoming webhooks, and the many chat tools that accept the same shape). */
export function webhookPayload(f: ReminderFacts, m: ReminderMessage): WebhookPayload {
  const owner = f.ownerEmail ? ` (owner: ${f.ownerEmail})` : ' (no email tag)';
  const account = f.accountLabel === f.accountId ? f.accountId : `${f.accountLabel} (${f.accountId})`;
  return {
    text: `${m.subject}${owner}. Deadline: ${m.when}. Missing: ${m.missing}. ${f.link}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: m.subject.slice(0, 150) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*IAM user*\n${mrkdwn(f.userName)}` },
          { type: 'mrkdwn', text: `*AWS account*\n${mrkdwn(account)}` },
          { type: 'mrkdwn', text: `*Owner*\n${mrkdwn(f.ownerEmail ?? 'no email tag')}` },
          { type: 'mrkdwn', text: `*Category*\n${mrkdwn(f.categoryName ?? '—')}` },
          { type: 'mrkdwn', text: `*Deadline*\n${mrkdwn(m.when)}` },
          { type: 'mrkdwn', text: `*Missing*\n${mrkdwn(m.missing)}` },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: `*Allowed devices:* ${mrkdwn(allowedTypesText(f.allowedDeviceTypes))}` } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Set up MFA' }, url: f.link }] },
    ],
  };
}

export const SEND_STATUSES = ['sending', 'sent', 'failed', 'unknown'] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];
export const RECORD_PAGE_SIZE = 25;

/** The record page's query: unknown or malformed values fall back to "any" and page 1. */
export const reminderFiltersSchema = z.object({
  status: z.enum(SEND_STATUSES).optional().catch(undefined),
  q: z
    .string()
    .trim()
    .max(64)
    .regex(IAM_NAME_CHARS)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export type ReminderFilters = z.output<typeof reminderFiltersSchema> & { pageSize: number };

export function parseReminderFilters(params: Record<string, string | string[] | undefined>): ReminderFilters {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const parsed = reminderFiltersSchema.parse({ status: first(params.status) || undefined, q: first(params.q), page: first(params.page) ?? 1 });
  return { ...parsed, pageSize: RECORD_PAGE_SIZE };
}

export function reminderFiltersToSearch(f: Partial<ReminderFilters>): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.q) p.set('q', f.q);
  if (f.page && f.page > 1) p.set('page', String(f.page));
  return p.toString();
}

/** `?user=<accountId>/<userName>` (as the user detail page links here), or null when absent or malformed. */
export function parseUserParam(value: string | string[] | undefined): { accountId: string; userName: string } | null {
  return parseUserRef(Array.isArray(value) ? value[0] : value);
}

export type RunCounts = { off: boolean; due: number; sent: number; failed: number; skipped: number; alreadySent: number; markedUnknown: number };

/** One sentence for the person who pressed "Run reminders now". */
export function runSummaryText(s: RunCounts): string {
  if (s.off) return 'Reminders are off: no email sender or webhook is configured, so nothing was sent.';
  const unknown = s.markedUnknown ? ` ${plural(s.markedUnknown, 'earlier send')} that never finished marked unknown.` : '';
  if (s.due === 0) return `Nothing is due right now.${unknown}`;
  const parts = [`${s.sent} sent`, `${s.failed} failed`, `${s.skipped} skipped (no email tag)`, `${s.alreadySent} already sent`];
  return `${plural(s.due, 'reminder')} due: ${parts.join(', ')}.${unknown}`;
}
