import { Duration, SecretValue, Stack, TimeZone } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { HostingConfig } from './hosting-config';

/** The cron routes (app/api/cron/<path>) EventBridge calls, by their config key. */
export const CRON_JOBS = {
  sweepLeftovers: 'sweep-leftovers',
  inventory: 'inventory',
  reminders: 'reminders',
  windows: 'windows',
  campaignDigest: 'campaign-digest',
} as const satisfies Record<keyof HostingConfig['schedules'], string>;

/** Fixed names, so that an operator finds them: `aws scheduler list-schedules --group-name mfa-portal`. */
export const SCHEDULE_GROUP_NAME = 'mfa-portal';
export const CRON_BUS_NAME = 'mfa-portal-cron';
export const SCHEDULER_DLQ_NAME = 'mfa-portal-scheduler-dlq';
/** The `source` of the events the schedules put on the bus; their `detail-type` is the job (the route's last part). */
export const SCHEDULER_SOURCE = 'mfa-portal.scheduler';

/**
 * Scheduled calls of the portal's /api/cron/* routes. EventBridge Scheduler cannot target an API destination, so:
 * one Scheduler schedule per job (group `mfa-portal`, UTC, no flexible window) puts an event on the custom bus
 * `mfa-portal-cron` (detail-type = the job); on that bus a rule per job targets an API destination (POST to the
 * portal's public URL) whose connection sends `Authorization: Bearer <MFA_CRON_SECRET>`. The connection takes the
 * bearer from the cron secret by a dynamic reference (resolved by CloudFormation at deploy time, kept by EventBridge in
 * a secret of its own): the value is never in the template.
 *
 * EventBridge waits 5 s for an API destination's answer. The inventory route answers at once (202, or 409 while a
 * run is in progress) and the leftovers sweep is short; a long reminders run goes on in the portal after EventBridge
 * stopped waiting. No retries at either hop: each job is idempotent and the next scheduled call catches up. Failures
 * show in the rule's FailedInvocations, Scheduler's TargetErrorCount for the group and the Scheduler dead-letter queue
 * (alarmed in hosting-alarms.ts). The event queue is drained by the portal itself (MFA_EVENTS_MODE=poll):
 * /api/cron/events drains for 40 s, longer than EventBridge waits.
 *
 * Construct ids differ from the former scheduled rules' (`<job>Schedule`), so that an upgrade replaces them instead of
 * asking CloudFormation to change a resource's type under the same logical id.
 */
export class HostingSchedules extends Construct {
  readonly rules: { job: string; rule: events.Rule }[] = [];
  readonly schedules: { job: string; schedule: scheduler.Schedule }[] = [];
  /** Set when at least one job is scheduled. */
  readonly scheduler?: { group: scheduler.ScheduleGroup; deadLetterQueue: sqs.Queue; bus: events.EventBus };

  constructor(scope: Construct, id: string, props: { hosting: HostingConfig; cronSecret: secretsmanager.ISecret }) {
    super(scope, id);
    const jobs = (Object.keys(CRON_JOBS) as (keyof typeof CRON_JOBS)[]).filter((k) => props.hosting.schedules[k] !== null);
    if (!jobs.length) return;

    const connection = new events.Connection(this, 'Connection', {
      description: 'MFA Portal cron routes: the MFA_CRON_SECRET bearer token',
      authorization: events.Authorization.apiKey('Authorization', SecretValue.unsafePlainText(`Bearer ${props.cronSecret.secretValue.unsafeUnwrap()}`)),
    });
    const bus = new events.EventBus(this, 'Bus', { eventBusName: CRON_BUS_NAME, description: 'MFA Portal: EventBridge Scheduler puts the cron jobs here' });
    const group = new scheduler.ScheduleGroup(this, 'Group', { scheduleGroupName: SCHEDULE_GROUP_NAME });
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: SCHEDULER_DLQ_NAME,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(deadLetterQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          "It is a dead-letter queue: EventBridge Scheduler's, for cron events it could not put on the bus (cdk-nag recognises only SQS redrive policies). Its messages are kept 14 days and alarmed on, not processed.",
      },
    ]);
    // Assumable by Scheduler for this account's `mfa-portal` group only (confused deputy); the targets below add
    // events:PutEvents on the bus and sqs:SendMessage on the dead-letter queue, nothing else.
    const role = new iam.Role(this, 'SchedulerRole', {
      description: 'MFA Portal: EventBridge Scheduler puts the cron events on the mfa-portal-cron bus',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account, 'aws:SourceArn': group.scheduleGroupArn } },
      }),
    });
    this.scheduler = { group, deadLetterQueue, bus };

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
      const rule = new events.Rule(this, `${key}Rule`, {
        eventBus: bus,
        description: `MFA Portal: POST /api/cron/${path} when its schedule fires`,
        eventPattern: { source: [SCHEDULER_SOURCE], detailType: [path] },
        targets: [new targets.ApiDestination(destination, { event: events.RuleTargetInput.fromObject({}), retryAttempts: 0 })],
      });
      this.rules.push({ job: path, rule });

      const schedule = new scheduler.Schedule(this, `${key}SchedulerSchedule`, {
        scheduleName: path,
        scheduleGroup: group,
        description: `MFA Portal: POST /api/cron/${path}`,
        schedule: scheduler.ScheduleExpression.expression(props.hosting.schedules[key]!, TimeZone.ETC_UTC),
        timeWindow: scheduler.TimeWindow.off(),
        target: new schedulerTargets.EventBridgePutEvents(
          { eventBus: bus, source: SCHEDULER_SOURCE, detailType: path, detail: scheduler.ScheduleTargetInput.fromObject({ job: path }) },
          { role, deadLetterQueue, retryAttempts: 0 },
        ),
      });
      this.schedules.push({ job: path, schedule });
    }
  }
}
