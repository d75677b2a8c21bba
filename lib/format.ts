/**
 * How the portal writes dates, times and counts: one place, so every page, export and message reads the same.
 * All dates are UTC (IAM and CloudTrail are UTC; a deadline must not move with the reader's time zone).
 */

const dateMedium = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const dateLong = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });
const dateTimeShort = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const dateTimeSeconds = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });
const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const hourMinute = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC' });
const count = new Intl.NumberFormat('en-US');

/** "15 Jul 2026" */
export const formatDate = (d: Date) => dateMedium.format(d);
/** "15 July 2026" */
export const formatLongDate = (d: Date) => dateLong.format(d);
/** "15 Jul 2026, 09:30" (UTC; callers that show it alone add " UTC" or use formatDateTimeUtc) */
export const formatDateTime = (d: Date) => dateTimeShort.format(d);
/** "15 Jul 2026, 09:30 UTC" */
export const formatDateTimeUtc = (d: Date) => `${dateTimeShort.format(d)} UTC`;
/** "15 Jul 2026, 09:30:12" (UTC), for logs where seconds matter */
export const formatDateTimeSeconds = (d: Date) => dateTimeSeconds.format(d);
/** "15 Jul" (UTC), for chart axes */
export const formatDayMonth = (d: Date) => dayMonth.format(d);
/** "09:30" (UTC, 24-hour) */
export const formatHourMinute = (d: Date) => hourMinute.format(d);
/** "2026-07-15": the UTC calendar day, as date inputs and CSV files write it */
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
/** "2026-07-15T09:30": the UTC minute, as datetime-local inputs take it */
export const isoMinute = (d: Date) => d.toISOString().slice(0, 16);

/** "1,234" */
export const formatCount = (n: number) => count.format(n);

/** "1 user", "2 users", "1,234 users"; `many` for irregular plurals ("1 policy", "2 policies"). */
export const plural = (n: number, one: string, many = `${one}s`) => `${count.format(n)} ${n === 1 ? one : many}`;
