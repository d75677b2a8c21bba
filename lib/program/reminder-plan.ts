/**
 * The pure parts of reminders: which step is due, the facts a message is made of (lib/program/messages makes it),
 * the record's filters.
 * No I/O; `now` is always passed in.
 */
import { z } from 'zod';
import type { DeviceType } from '@/lib/db/schema';
import { formatLongDate, formatHourMinute, plural } from '@/lib/format';
import { IAM_NAME_CHARS, parseUserRef } from '@/lib/iam-identifiers';
import type { ProgramGap } from './resolve';

/** The webhook's shape lives with the messages; re-exported for the senders that import it from here. */
export type { SlackBlock, WebhookPayload } from './messages/compose';

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
