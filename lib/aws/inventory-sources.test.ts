import { describe, expect, it } from 'vitest';
import { REPORT_REUSE_MS, reportReusable } from './inventory-sources';

describe('reportReusable', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  it('reuses a report younger than 4 hours', () => {
    expect(reportReusable(new Date(now - 60_000), now)).toBe(true);
    expect(reportReusable(new Date(now - REPORT_REUSE_MS + 1000), now)).toBe(true);
  });
  it('asks for a new report at 4 hours or older, or when the age is unknown', () => {
    expect(reportReusable(new Date(now - REPORT_REUSE_MS), now)).toBe(false);
    expect(reportReusable(new Date(now - 5 * 3600_000), now)).toBe(false);
    expect(reportReusable(null, now)).toBe(false);
  });
  it('does not trust a report dated in the future beyond clock skew', () => {
    expect(reportReusable(new Date(now + 30_000), now)).toBe(true);
    expect(reportReusable(new Date(now + 3600_000), now)).toBe(false);
  });
});
