import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENTS_DLQ_NAME, EVENTS_QUEUE_NAME } from '../../../lib/events/names';
import type { HostingConfig } from './hosting-config';

export type HostingAlarmsProps = {
  hosting: HostingConfig;
  loadBalancer: elbv2.ApplicationLoadBalancer;
  targetGroup: elbv2.ApplicationTargetGroup;
  service: ecs.FargateService;
  database: rds.DatabaseInstance;
  /** With IAM change events on: the portal stack's queue and dead-letter queue, by their fixed names. */
  eventQueues: boolean;
  /** The rules on the cron bus that POST to /api/cron/<job>. */
  scheduleRules: { job: string; rule: events.Rule }[];
  /** With any job scheduled: the Scheduler group whose schedules put the cron events, and its dead-letter queue. */
  scheduler?: { group: scheduler.IScheduleGroup; deadLetterQueue: sqs.IQueue };
};

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms on what AWS measures for us (load balancer, targets, ECS, RDS, SQS, EventBridge and its Scheduler), to one SNS topic that
 * mails `alarmEmails`. The portal's own Prometheus metrics (/api/metrics) do not reach CloudWatch from here: scrape
 * them with your Prometheus, or add a CloudWatch agent sidecar (not part of this stack).
 */
export class HostingAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: HostingAlarmsProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: 'MFA Portal alarm topic' });
    // CloudWatch publishes alarms to an encrypted topic only if it may use the key (AWS's documented statement, without
    // conditions: an alarm that cannot notify fails silently). Publishing itself stays limited by the topic's policy.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'MFA Portal alarms', masterKey: key, enforceSSL: true });
    for (const email of props.hosting.alarmEmails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    const lb = props.loadBalancer.metrics;
    const tg = props.targetGroup.metrics;
    this.add('LoadBalancer5xx', 'The load balancer answered 5xx itself (no healthy target, or a target failed)', lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: FIVE_MINUTES, statistic: 'Sum' }), 10);
    this.add('Target5xx', 'The portal answered 5xx', lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: FIVE_MINUTES, statistic: 'Sum' }), 10);
    this.add('UnhealthyTargets', 'A portal task fails its health check', tg.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' }), 1, 3);
    this.add('ServiceCpuHigh', 'The portal service uses over 80% of its CPU', props.service.metricCpuUtilization({ period: FIVE_MINUTES }), 80, 3);
    this.add('ServiceMemoryHigh', 'The portal service uses over 80% of its memory', props.service.metricMemoryUtilization({ period: FIVE_MINUTES }), 80, 3);

    const db = props.database;
    this.add('DatabaseCpuHigh', 'The database uses over 80% CPU', db.metricCPUUtilization({ period: FIVE_MINUTES }), 80, 3);
    this.add('DatabaseStorageLow', 'Less than 2 GiB of database storage is free', db.metricFreeStorageSpace({ period: FIVE_MINUTES, statistic: 'Minimum' }), 2 * 1024 ** 3, 1, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD);
    this.add('DatabaseConnectionsHigh', 'The database has more connections than expected', db.metricDatabaseConnections({ period: FIVE_MINUTES, statistic: 'Maximum' }), props.hosting.database.connectionsAlarmThreshold, 2);

    if (props.eventQueues) {
      const sqsMetric = (metricName: string, queueName: string, statistic: string) =>
        new cloudwatch.Metric({ namespace: 'AWS/SQS', metricName, dimensionsMap: { QueueName: queueName }, period: FIVE_MINUTES, statistic });
      this.add('EventsQueueAge', 'IAM change events wait over 5 minutes: the portal is not consuming its queue', sqsMetric('ApproximateAgeOfOldestMessage', EVENTS_QUEUE_NAME, 'Maximum'), 300, 2);
      this.add('EventsDeadLetters', 'IAM change events failed 3 times and were dead-lettered', sqsMetric('ApproximateNumberOfMessagesVisible', EVENTS_DLQ_NAME, 'Maximum'), 1);
    }
    for (const { job, rule } of props.scheduleRules) {
      const failed = new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: rule.ruleName }, period: Duration.hours(1), statistic: 'Sum' });
      this.add(`Schedule-${job}-Failed`, `The scheduled POST /api/cron/${job} failed (or took over 5 s)`, failed, 1);
    }
    if (props.scheduler) {
      const { group, deadLetterQueue } = props.scheduler;
      this.add('SchedulerTargetErrors', 'EventBridge Scheduler could not put a cron job on the mfa-portal-cron bus', group.metricTargetErrors({ period: Duration.hours(1), statistic: 'Sum' }), 1);
      this.add('SchedulerDeadLetters', 'A scheduled cron job was not delivered and waits in the Scheduler dead-letter queue', deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }), 1);
    }
  }

  private add(id: string, description: string, metric: cloudwatch.IMetric, threshold: number, evaluationPeriods = 1, comparison = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD) {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `MFA Portal: ${description}`,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: comparison,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
