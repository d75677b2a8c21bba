import 'server-only';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { log } from '@/lib/log';

/**
 * The portal's Prometheus series, in a registry of its own (not prom-client's global default, which libraries may
 * fill). Held on globalThis: Next bundles the instrumentation hook and the routes separately, and both must count
 * into the one registry that GET /api/metrics reads. Labels are bounded sets (API names, outcome classes, account ids).
 */
export type CoverageRow = { accountId: string; inScope: number; compliant: number };

function create() {
  const registry = new Registry();
  const registers = [registry];
  let coverageSource: (() => Promise<CoverageRow[]>) | undefined;
  const coverage = new Gauge({
    name: 'mfa_portal_coverage_users',
    help: 'IAM users per managed account in the stored inventory: in scope of the MFA program, and of those compliant',
    labelNames: ['account_id', 'state'] as const,
    registers,
    // Read at scrape time, so every instance reports the shared database's figures, not what it alone saw.
    async collect() {
      this.reset();
      if (!coverageSource) return;
      try {
        for (const row of await coverageSource()) {
          this.set({ account_id: row.accountId, state: 'in_scope' }, row.inScope);
          this.set({ account_id: row.accountId, state: 'compliant' }, row.compliant);
        }
      } catch (error) {
        log.warn({ err: error }, 'metrics: coverage not read');
      }
    },
  });
  return {
    registry,
    coverage,
    setCoverageSource: (source: () => Promise<CoverageRow[]>) => {
      coverageSource = source;
    },
    awsCalls: new Counter({ name: 'mfa_portal_aws_calls_total', help: 'AWS API calls (after the SDK retries) by API and outcome: success, throttled, or the error class', labelNames: ['api', 'outcome'] as const, registers }),
    awsThrottles: new Counter({ name: 'mfa_portal_aws_throttles_total', help: 'AWS request attempts answered with throttling, retries included', labelNames: ['api'] as const, registers }),
    inventoryRuns: new Counter({ name: 'mfa_portal_inventory_runs_total', help: 'Inventory runs collected by this instance, by outcome', labelNames: ['outcome'] as const, registers }),
    inventoryDuration: new Histogram({
      name: 'mfa_portal_inventory_run_duration_seconds',
      help: 'Duration of the inventory runs this instance collected, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      registers,
    }),
    enrollment: new Counter({ name: 'mfa_portal_enrollment_steps_total', help: 'Enrollment and device steps by step, device type and result', labelNames: ['step', 'device_type', 'result'] as const, registers }),
    iamEvents: new Counter({ name: 'mfa_portal_iam_events_total', help: 'IAM change events handled by this instance: applied, failed (left for redelivery) or dropped by reason', labelNames: ['outcome'] as const, registers }),
    iamEventLag: new Histogram({
      name: 'mfa_portal_iam_event_lag_seconds',
      help: 'From an IAM change event (CloudTrail eventTime) to the portal having applied it',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
  };
}

export type PortalMetrics = ReturnType<typeof create>;
const holder = globalThis as unknown as { __mfaPortalMetrics?: PortalMetrics };

export function metrics(): PortalMetrics {
  holder.__mfaPortalMetrics ??= create();
  return holder.__mfaPortalMetrics;
}

/** The Prometheus text exposition of every series. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
