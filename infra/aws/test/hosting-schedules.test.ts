import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CRON_BUS_NAME, SCHEDULE_GROUP_NAME, SCHEDULER_DLQ_NAME, SCHEDULER_SOURCE } from '../lib/hosting-schedules';
import { hostingConfig, hostingTemplate, portalContainer } from './hosting-support';

const t = hostingTemplate(hostingConfig());
const idOf = (type: string, json = t.json) => {
  const found = Object.entries(json.Resources).filter(([, r]) => r.Type === type);
  if (found.length !== 1) throw new Error(`${found.length} ${type}`);
  return found[0]![0];
};
const arnOf = (type: string) => ({ 'Fn::GetAtt': [idOf(type), 'Arn'] });

type ScheduleProps = {
  Name: string;
  GroupName: unknown;
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  FlexibleTimeWindow: unknown;
  State: string;
  Target: { Arn: unknown; RoleArn: unknown; RetryPolicy: { MaximumRetryAttempts: number }; DeadLetterConfig?: { Arn: unknown }; EventBridgeParameters: { Source: string; DetailType: string } };
};
type RuleProps = { EventBusName?: unknown; EventPattern?: { source: string[]; 'detail-type': string[] }; ScheduleExpression?: string; Targets: { Arn: { 'Fn::GetAtt': [string, string] }; RetryPolicy: unknown }[] };

const schedulesOf = (x: ReturnType<typeof hostingTemplate>) => x.of('AWS::Scheduler::Schedule').map(([, r]) => r.Properties as unknown as ScheduleProps);
const rulesOf = (x: ReturnType<typeof hostingTemplate>) => x.of('AWS::Events::Rule').map(([, r]) => r.Properties as unknown as RuleProps);

/** What each schedule ends in: the rule on the schedule's bus whose pattern matches its event, and that rule's API destination. */
function callsOf(x: ReturnType<typeof hostingTemplate>) {
  const destinations = Object.fromEntries(x.of('AWS::Events::ApiDestination').map(([id, r]) => [id, r.Properties]));
  const busId = (arn: unknown) => (arn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return schedulesOf(x).map((s) => {
    const { Source, DetailType } = s.Target.EventBridgeParameters;
    const rules = rulesOf(x).filter((r) => (r.EventBusName as { Ref: string }).Ref === busId(s.Target.Arn) && r.EventPattern!.source.includes(Source) && r.EventPattern!['detail-type'].includes(DetailType));
    expect(rules, `rules for ${DetailType}`).toHaveLength(1);
    const [target] = rules[0]!.Targets;
    expect(rules[0]!.Targets).toHaveLength(1);
    expect(target!.RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
    const destination = destinations[target!.Arn['Fn::GetAtt'][0]]!;
    expect(destination.HttpMethod).toBe('POST');
    return [destination.InvocationEndpoint as string, s.ScheduleExpression];
  });
}

describe('hosting stack: scheduled cron calls (EventBridge Scheduler)', () => {
  it('schedules each job in the portal’s group, in UTC, without a flexible window or retries, dead-lettering failures', () => {
    const schedules = schedulesOf(t);
    expect(schedules.map((s) => [s.Name, s.ScheduleExpression]).sort()).toEqual([
      ['campaign-digest', 'cron(0 7 ? * MON *)'],
      ['inventory', 'rate(6 hours)'],
      ['reminders', 'rate(1 hour)'],
      ['sweep-leftovers', 'rate(1 hour)'],
      ['windows', 'rate(1 hour)'],
    ]);
    expect(t.one('AWS::Scheduler::ScheduleGroup')).toEqual({ Name: SCHEDULE_GROUP_NAME });
    for (const s of schedules) {
      expect(s).toMatchObject({ GroupName: SCHEDULE_GROUP_NAME, ScheduleExpressionTimezone: 'Etc/UTC', FlexibleTimeWindow: { Mode: 'OFF' }, State: 'ENABLED' });
      expect(s.Target.RetryPolicy.MaximumRetryAttempts).toBe(0);
      expect(s.Target.DeadLetterConfig).toEqual({ Arn: arnOf('AWS::SQS::Queue') });
    }
    // The config's expressions reach Scheduler as they are.
    const cron = schedulesOf(hostingTemplate(hostingConfig({ schedules: { inventory: 'cron(15 3 * * ? *)' } })));
    expect(cron.find((s) => s.Name === 'inventory')!.ScheduleExpression).toBe('cron(15 3 * * ? *)');
  });

  it('puts an event naming the job on the portal’s own cron bus', () => {
    expect(t.one('AWS::Events::EventBus')).toMatchObject({ Name: CRON_BUS_NAME });
    for (const s of schedulesOf(t)) {
      expect(s.Target.Arn).toEqual(arnOf('AWS::Events::EventBus'));
      expect(s.Target.EventBridgeParameters).toEqual({ Source: SCHEDULER_SOURCE, DetailType: s.Name });
    }
  });

  it('POSTs each existing cron route when its schedule fires: one rule per job on that bus, to an API destination, without retries', () => {
    expect(rulesOf(t)).toHaveLength(5);
    for (const r of rulesOf(t)) expect(r.ScheduleExpression).toBeUndefined();
    const calls = callsOf(t);
    expect(calls.sort()).toEqual([
      ['https://mfa.example.org/api/cron/campaign-digest', 'cron(0 7 ? * MON *)'],
      ['https://mfa.example.org/api/cron/inventory', 'rate(6 hours)'],
      ['https://mfa.example.org/api/cron/reminders', 'rate(1 hour)'],
      ['https://mfa.example.org/api/cron/sweep-leftovers', 'rate(1 hour)'],
      ['https://mfa.example.org/api/cron/windows', 'rate(1 hour)'],
    ]);
    for (const [endpoint] of calls) {
      const route = new URL(`../../../app${new URL(String(endpoint)).pathname}/route.ts`, import.meta.url);
      expect(existsSync(route), String(endpoint)).toBe(true);
      expect(readFileSync(route, 'utf8')).toMatch(/export (async function POST\(|const POST = )/);
    }
  });

  it('lets Scheduler, for this account’s portal group only, put events on the cron bus and dead-letter them, nothing more', () => {
    const [roleId, role] = t.of('AWS::IAM::Role').find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))!;
    for (const s of schedulesOf(t)) expect(s.Target.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect((role.Properties.AssumeRolePolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': arnOf('AWS::Scheduler::ScheduleGroup') } },
      },
    ]);
    const policies = t.of('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(policies).toHaveLength(1);
    expect(t.of('AWS::IAM::ManagedPolicy').filter(([, p]) => JSON.stringify(p.Properties.Roles ?? []).includes(roleId))).toEqual([]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect((policies[0]![1].Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: arnOf('AWS::Events::EventBus') },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf('AWS::SQS::Queue') },
    ]);
  });

  it('keeps undelivered schedule events 14 days in an encrypted, TLS-only dead-letter queue', () => {
    expect(t.one('AWS::SQS::Queue')).toEqual({ QueueName: SCHEDULER_DLQ_NAME, SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const policy = t.one('AWS::SQS::QueuePolicy') as { Queues: unknown; PolicyDocument: { Statement: Record<string, unknown>[] } };
    expect(policy.Queues).toEqual([{ Ref: idOf('AWS::SQS::Queue') }]);
    expect(policy.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('authenticates with the cron secret as a bearer token, by a dynamic reference (no value in the template)', () => {
    const connection = t.one('AWS::Events::Connection');
    expect(connection.AuthorizationType).toBe('API_KEY');
    const secretId = t.of('AWS::SecretsManager::Secret').find(([, r]) => r.Properties.Name === 'mfa-portal/cron-secret')![0];
    expect(connection.AuthParameters).toEqual({
      ApiKeyAuthParameters: { ApiKeyName: 'Authorization', ApiKeyValue: { 'Fn::Join': ['', ['Bearer {{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] } },
    });
    // The bearer appears nowhere else: not in a schedule's event, not in a rule's input.
    const text = JSON.stringify(t.json);
    expect(text.match(/Bearer/g)).toHaveLength(1);
    for (const s of schedulesOf(t)) expect(JSON.stringify(s)).not.toMatch(/secret|Bearer/i);
  });

  it('leaves a job with a null schedule to the portal’s in-process timer, and creates no bus, group or queue for none', () => {
    const some = hostingTemplate(hostingConfig({ schedules: { inventory: null, windows: null } }));
    expect(schedulesOf(some).map((s) => s.Name).sort()).toEqual(['campaign-digest', 'reminders', 'sweep-leftovers']);
    expect(callsOf(some).map(([endpoint]) => endpoint).sort()).toEqual([
      'https://mfa.example.org/api/cron/campaign-digest',
      'https://mfa.example.org/api/cron/reminders',
      'https://mfa.example.org/api/cron/sweep-leftovers',
    ]);
    expect(rulesOf(some)).toHaveLength(3);
    const env = Object.fromEntries(portalContainer(some).Environment.map((e) => [e.Name, e.Value]));
    expect(env).toMatchObject({ MFA_INVENTORY_REFRESH_MINUTES: '360', MFA_REMINDER_INTERVAL_MINUTES: '0' });
    const none = hostingTemplate(hostingConfig({ schedules: { inventory: null, reminders: null, sweepLeftovers: null, windows: null, campaignDigest: null } }));
    for (const type of ['AWS::Scheduler::Schedule', 'AWS::Scheduler::ScheduleGroup', 'AWS::Events::EventBus', 'AWS::Events::Rule', 'AWS::Events::Connection', 'AWS::SQS::Queue'])
      expect(none.of(type), type).toEqual([]);
    expect(JSON.stringify(none.json)).not.toContain('scheduler.amazonaws.com');
  });
});
