import { beforeEach, describe, expect, it } from 'vitest';
import { metrics } from '@/lib/ops/metrics';
import { countApplied, countDropped, countFailed, eventCounts } from './counters';

/** One sample of the exposition (a histogram's `_count`, `_sum` or `_bucket`, or a counter's own name). */
const sampleOf = async (name: string, labels: Record<string, string> = {}) => {
  const metric = (await metrics().registry.getMetricsAsJSON()).find((m) => name === m.name || name.startsWith(`${m.name}_`));
  const sample = metric?.values.find((v) => ((v as { metricName?: string }).metricName ?? metric.name) === name && Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l));
  return sample?.value ?? 0;
};

describe('IAM event counters', () => {
  beforeEach(() => metrics().registry.resetMetrics());

  it('observe the lag from the event time to its application', async () => {
    const now = new Date('2026-12-05T10:00:00Z');
    countApplied(new Date('2026-12-05T09:59:30Z'), now);
    countApplied(new Date('2026-12-05T09:50:00Z'), now);
    expect(await sampleOf('mfa_portal_iam_event_lag_seconds_count')).toBe(2);
    expect(await sampleOf('mfa_portal_iam_event_lag_seconds_sum')).toBe(630);
    expect(await sampleOf('mfa_portal_iam_event_lag_seconds_bucket', { le: '30' })).toBe(1);
    expect(await sampleOf('mfa_portal_iam_event_lag_seconds_bucket', { le: '600' })).toBe(2);
  });

  it('count outcomes in the metrics as in the system page counts', async () => {
    const before = eventCounts();
    countFailed();
    countDropped('replay');
    countDropped('replay');
    expect(await sampleOf('mfa_portal_iam_events_total', { outcome: 'failed' })).toBe(1);
    expect(await sampleOf('mfa_portal_iam_events_total', { outcome: 'dropped:replay' })).toBe(2);
    expect(eventCounts().dropped.replay).toBe(before.dropped.replay + 2);
  });
});
