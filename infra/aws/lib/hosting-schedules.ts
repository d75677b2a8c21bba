import { SecretValue } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { HostingConfig } from './hosting-config';

/** The cron routes (app/api/cron/<path>) EventBridge calls, by their config key. */
export const CRON_JOBS = {
  sweepLeftovers: 'sweep-leftovers',
  inventory: 'inventory',
  reminders: 'reminders',
} as const satisfies Record<keyof HostingConfig['schedules'], string>;

/**
 * Scheduled calls of the portal's /api/cron/* routes: an EventBridge rule per job on its schedule, targeting an API
 * destination (POST to the portal's public URL) whose connection sends `Authorization: Bearer <MFA_CRON_SECRET>`.
 * The connection takes the bearer from the cron secret by a dynamic reference (resolved by CloudFormation at deploy
 * time, kept by EventBridge in a secret of its own): the value is never in the template.
 *
 * EventBridge waits 5 s for an API destination's answer. The inventory route answers at once (202, or 409 while a
 * run is in progress) and the leftovers sweep is short; a long reminders run goes on in the portal after EventBridge
 * stopped waiting. No retries: each job is idempotent and the next scheduled call catches up; failures show in the
 * rule's FailedInvocations metric (alarmed in hosting-alarms.ts). The event queue is drained by the portal itself
 * (MFA_EVENTS_MODE=poll): /api/cron/events drains for 40 s, longer than EventBridge waits.
 */
export class HostingSchedules extends Construct {
  readonly rules: { job: string; rule: events.Rule }[] = [];

  constructor(scope: Construct, id: string, props: { hosting: HostingConfig; cronSecret: secretsmanager.ISecret }) {
    super(scope, id);
    const jobs = (Object.keys(CRON_JOBS) as (keyof typeof CRON_JOBS)[]).filter((k) => props.hosting.schedules[k] !== null);
    if (!jobs.length) return;

    const connection = new events.Connection(this, 'Connection', {
      description: 'MFA Portal cron routes: the MFA_CRON_SECRET bearer token',
      authorization: events.Authorization.apiKey('Authorization', SecretValue.unsafePlainText(`Bearer ${props.cronSecret.secretValue.unsafeUnwrap()}`)),
    });
    const base = props.hosting.portalUrl.replace(/\/+$/, '');
    for (const key of jobs) {
      const path = CRON_JOBS[key];
      const destination = new events.ApiDestination(this, `${key}Destination`, {
        connection,
        endpoint: `${base}/api/cron/${path}`,
        httpMethod: events.HttpMethod.POST,
        rateLimitPerSecond: 1,
        description: `MFA Portal POST /api/cron/${path}`,
      });
      const rule = new events.Rule(this, `${key}Schedule`, {
        description: `MFA Portal: POST /api/cron/${path} on schedule`,
        schedule: events.Schedule.expression(props.hosting.schedules[key]!),
        targets: [new targets.ApiDestination(destination, { event: events.RuleTargetInput.fromObject({}), retryAttempts: 0 })],
      });
      this.rules.push({ job: path, rule });
    }
  }
}
