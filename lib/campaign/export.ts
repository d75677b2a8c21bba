/** The campaign as a download: the page's figures, in JSON or in CSV (a figures table, then the idle list). */
import { csvDocument, csvLine } from '@/lib/csv';
import { isoDay } from '@/lib/format';
import { REQUEST_KINDS, REQUEST_SOURCES, type Figure } from './requests';
import type { Campaign } from './read-model';

const figure = (f: Figure) => (f.available ? f.count : null);
const rate = (n: number) => Math.round(n * 100) / 100;
const completionOf = (c: Campaign['cohorts'][number]) => ('completion' in c.projection ? isoDay(c.projection.completion) : null);

/** JSON: the same fields the page shows; a figure that is not available is null with its reason. */
export function campaignJson(campaign: Campaign) {
  return {
    generatedAt: campaign.generatedAt.toISOString(),
    idleUnchecked: campaign.idleUnchecked,
    cohorts: campaign.cohorts.map((c) => ({
      cohort: c.cohort,
      categories: c.categories,
      deadline: c.deadline.toISOString(),
      inScope: c.inScope,
      enrolled: c.enrolled,
      remaining: c.remaining,
      ratePerDay7: rate(c.rate7),
      ratePerDay14: rate(c.rate14),
      projectedCompletion: completionOf(c),
      projection: c.projectionText,
      enrolledPerDay: c.series.days,
      enrolledBeforeSeries: c.series.before,
      enrolledDateUnknown: c.series.unknownDate,
      requests: Object.fromEntries(REQUEST_KINDS.map((k) => [k, c.requests[k].available ? c.requests[k].count : null])),
      requestsNotAvailable: Object.fromEntries(REQUEST_KINDS.flatMap((k) => (c.requests[k].available ? [] : [[k, (c.requests[k] as { reason: string }).reason]]))),
      doneNothingCount: c.idleCount,
      doneNothing: c.idle,
    })),
  };
}

const FIGURE_HEADER = ['cohort', 'categories', 'deadline', 'in_scope', 'enrolled', 'remaining', 'rate_per_day_7d', 'rate_per_day_14d', 'projected_completion', 'projection', 'done_nothing', ...REQUEST_KINDS];
const IDLE_HEADER = ['cohort', 'account_id', 'account', 'user_name', 'owner', 'category'];

/** CSV: one line per cohort, a blank line, then every "done nothing yet" user; an unavailable figure is an empty cell. */
export function campaignCsv(campaign: Campaign): string {
  const lines = [
    csvLine(FIGURE_HEADER),
    ...campaign.cohorts.map((c) =>
      csvLine([
        c.cohort,
        c.categories.join('; '),
        isoDay(c.deadline),
        c.inScope,
        c.enrolled,
        c.remaining,
        rate(c.rate7),
        rate(c.rate14),
        completionOf(c),
        c.projectionText,
        c.idleCount,
        ...REQUEST_KINDS.map((k) => figure(c.requests[k])),
      ]),
    ),
    '',
    csvLine(IDLE_HEADER),
    ...campaign.cohorts.flatMap((c) => c.idle.map((u) => csvLine([c.cohort, u.accountId, u.accountLabel, u.userName, u.owner, u.category]))),
  ];
  return csvDocument(lines);
}

export const requestLabel = (k: keyof typeof REQUEST_SOURCES) => REQUEST_SOURCES[k].label;
