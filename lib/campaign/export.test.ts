import { describe, expect, it } from 'vitest';
import { parseCsv } from '@/test-support/csv';
import { daySeries, project, projectionText } from './projection';
import { campaignCsv, campaignJson } from './export';
import type { Campaign } from './read-model';

const now = new Date('2026-12-05T10:00:00Z');
const deadline = new Date('2026-12-20T00:00:00Z');
const projection = project(3, 0.5, deadline, now);
const campaign: Campaign = {
  generatedAt: now,
  idleUnchecked: ['recovery_requests'],
  cohorts: [
    {
      cohort: 'wave-1',
      deadline,
      categories: ['Engineers', 'Admins'],
      inScope: 7,
      enrolled: 4,
      remaining: 3,
      series: daySeries([{ day: '2026-12-04', enrolled: 7 }], 0, now),
      rate7: 1,
      rate14: 0.5,
      projection,
      projectionText: projectionText(projection),
      idleCount: 1,
      idle: [{ accountId: '111111111111', accountLabel: 'Production', userName: '=cmd', owner: 'erin@example.com', category: 'Engineers' }],
      requests: {
        extensions: { available: true, count: 2 },
        recoveries: { available: false, reason: 'Not available: no recovery_requests table.' },
        exceptions: { available: true, count: 0 },
        graces: { available: true, count: 1 },
      },
    },
  ],
};

describe('campaignCsv', () => {
  const rows = parseCsv(campaignCsv(campaign));
  it('has a line per cohort with the page figures; a figure that is not available is an empty cell, not 0', () => {
    expect(rows[0]).toEqual(['cohort', 'categories', 'deadline', 'in_scope', 'enrolled', 'remaining', 'rate_per_day_7d', 'rate_per_day_14d', 'projected_completion', 'projection', 'done_nothing', 'extensions', 'recoveries', 'exceptions', 'graces']);
    expect(rows[1]).toEqual(['wave-1', 'Engineers; Admins', '2026-12-20', '7', '4', '3', '1', '0.5', '2026-12-11', 'on track', '1', '2', '', '0', '1']);
  });
  it('then, after a blank line, every done-nothing user, with names a spreadsheet would run made inert', () => {
    expect(rows[3]).toEqual(['cohort', 'account_id', 'account', 'user_name', 'owner', 'category']);
    expect(rows[4]).toEqual(['wave-1', '111111111111', 'Production', "'=cmd", 'erin@example.com', 'Engineers']);
  });
});

describe('campaignJson', () => {
  it('gives an unavailable figure as null with its reason, and the day series', () => {
    const j = campaignJson(campaign).cohorts[0]!;
    expect(j.requests).toEqual({ extensions: 2, recoveries: null, exceptions: 0, graces: 1 });
    expect(j.requestsNotAvailable).toEqual({ recoveries: 'Not available: no recovery_requests table.' });
    expect(j.enrolledPerDay).toEqual([
      { day: '2026-12-04', enrolled: 7, cumulative: 7 },
      { day: '2026-12-05', enrolled: 0, cumulative: 7 },
    ]);
    expect(j).toMatchObject({ projection: 'on track', projectedCompletion: '2026-12-11', doneNothingCount: 1 });
  });
});
