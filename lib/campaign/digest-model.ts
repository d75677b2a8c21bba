/**
 * The security team's weekly digest (issue 15 §5) as a message: burndown per cohort, new gaps since last week,
 * exceptions ending in the next 14 days, pending requests. Pure, so it is unit-tested; lib/campaign/digest.ts reads
 * the figures and sends.
 */
import { formatDate, formatDateTimeUtc, plural } from '@/lib/format';
import type { SlackBlock, WebhookPayload } from '@/lib/program/reminder-plan';
import { REQUEST_KINDS, REQUEST_SOURCES, type Figure, type RequestKind } from './requests';

/** Exceptions that end within this many days are listed. */
export const ENDING_WITHIN_DAYS = 14;
/** The message lists at most this many people per section; the page and the export have them all. */
export const LISTED = 50;

/** The ISO 8601 week of `d` (UTC), e.g. `2026-W49`: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - weekday);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export const WEEK_SLOT = /^\d{4}-W\d{2}$/;

export type GapUser = { accountId: string; userName: string; cohort: string | null };
export const gapKey = (g: Pick<GapUser, 'accountId' | 'userName'>) => `${g.accountId}/${g.userName}`;

export type DigestFacts = {
  week: string;
  generatedAt: Date;
  portalUrl: string;
  cohorts: { cohort: string; deadline: Date; inScope: number; enrolled: number; remaining: number; projectionText: string }[];
  /** Every gap now: stored with the digest, for next week's comparison. */
  gaps: GapUser[];
  /** The last weekly digest's gaps, or null when there was none to compare with. */
  previous: { week: string; gaps: readonly string[] } | null;
  endingExceptions: { accountId: string; userName: string; category: string | null; expiresAt: Date }[];
  pending: Record<RequestKind, Figure>;
};

/** Gaps now that were not gaps in the last digest (every gap, when there is no last digest). */
export function newGapsOf(facts: Pick<DigestFacts, 'gaps' | 'previous'>): GapUser[] {
  const before = new Set(facts.previous?.gaps ?? []);
  return facts.gaps.filter((g) => !before.has(gapKey(g)));
}

export type DigestMessage = { subject: string; text: string };

const listed = <T>(items: readonly T[], line: (t: T) => string) => [
  ...items.slice(0, LISTED).map((t) => `- ${line(t)}`),
  ...(items.length > LISTED ? [`- … and ${items.length - LISTED} more: see the campaign page.`] : []),
];

export function buildDigestMessage(f: DigestFacts): DigestMessage {
  const remaining = f.cohorts.reduce((s, c) => s + c.remaining, 0);
  const fresh = newGapsOf(f);
  const subject = `MFA campaign digest, week ${f.week}: ${plural(remaining, 'user')} remaining in ${plural(f.cohorts.length, 'cohort')}`;
  const lines = [
    `MFA campaign digest for week ${f.week} (as of ${formatDateTimeUtc(f.generatedAt)}).`,
    '',
    'Burndown per cohort',
    ...(f.cohorts.length === 0
      ? ['- No cohorts: no category is set up yet.']
      : f.cohorts.map((c) => `- ${c.cohort} (deadline ${formatDate(c.deadline)}): ${c.enrolled} of ${c.inScope} enrolled, ${c.remaining} remaining; ${c.projectionText}`)),
    '',
    f.previous ? `New gaps since last week (compared with ${f.previous.week}): ${fresh.length}` : `Gaps (no earlier digest to compare with): ${fresh.length}`,
    ...listed(fresh, (g) => `${g.accountId} ${g.userName}${g.cohort ? ` (${g.cohort})` : ''}`),
    '',
    `Exceptions ending in the next ${ENDING_WITHIN_DAYS} days: ${f.endingExceptions.length}`,
    ...listed(f.endingExceptions, (e) => `${e.accountId} ${e.userName}${e.category ? `, ${e.category}` : ''}: ends ${formatDate(e.expiresAt)}`),
    '',
    'Pending requests',
    ...REQUEST_KINDS.map((k) => {
      const p = f.pending[k];
      return `- ${REQUEST_SOURCES[k].label}: ${p.available ? p.count : p.reason}`;
    }),
    '',
    `The campaign: ${new URL('/admin/campaign', f.portalUrl).toString()}`,
  ];
  return { subject, text: lines.join('\n') };
}

/** Slack's mrkdwn treats &, < and > as markup; a section's text holds at most 3000 characters. */
const mrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const SECTION_MAX = 3000;

/** Slack-compatible JSON: the subject, then the message in sections (each paragraph, cut to Slack's limit). */
export function digestWebhookPayload(m: DigestMessage): WebhookPayload {
  const paragraphs = m.text.split('\n\n');
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: m.subject.slice(0, 150) } },
    ...paragraphs.map((p): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(p).slice(0, SECTION_MAX) } })),
  ];
  return { text: m.subject, blocks };
}
