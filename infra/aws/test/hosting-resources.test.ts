import { describe, expect, it } from 'vitest';
import { SECRET_SETTINGS } from '../lib/hosting-config';
import { readable } from './support';
import { hostingConfig, hostingTemplate, portalContainer } from './hosting-support';

const oidc = { issuer: 'https://login.example.org', clientId: 'mfa-portal' };
const t = hostingTemplate(hostingConfig({ oidc, alarmEmails: ['ops@example.org'], secretEnvironment: { MFA_REMINDER_WEBHOOK_URL: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mfa-portal/webhook-AbCdEf' } }));
const refOf = (logicalIdPart: RegExp) => {
  const found = Object.keys(t.json.Resources).filter((id) => logicalIdPart.test(id) && t.json.Resources[id]!.Type === 'AWS::SecretsManager::Secret');
  if (found.length !== 1) throw new Error(`${found.length} secrets match ${String(logicalIdPart)}`);
  return { Ref: found[0] };
};

describe('hosting stack: the database', () => {
  it('is PostgreSQL 17 (16+), encrypted, private, Multi-AZ, deletion-protected, with 14 days of automated backups', () => {
    expect(t.one('AWS::RDS::DBInstance')).toMatchObject({
      Engine: 'postgres',
      EngineVersion: '17',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      MultiAZ: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 14,
      DBName: 'mfa_portal',
    });
    const [, instance] = t.of('AWS::RDS::DBInstance')[0]!;
    expect((instance as unknown as { DeletionPolicy: string }).DeletionPolicy).toBe('Snapshot');
    const custom = hostingTemplate(hostingConfig({ database: { backupRetentionDays: 30, multiAz: false, engineVersion: '16' } })).one('AWS::RDS::DBInstance');
    expect(custom).toMatchObject({ BackupRetentionPeriod: 30, MultiAZ: false, EngineVersion: '16', DeletionProtection: true });
  });

  it('refuses unencrypted connections (rds.force_ssl) and takes connections from the portal tasks only', () => {
    expect(t.one('AWS::RDS::DBParameterGroup').Parameters).toEqual({ 'rds.force_ssl': '1' });
    const subnets = t.one('AWS::RDS::DBSubnetGroup').SubnetIds as { Ref: string }[];
    for (const s of subnets) expect(s.Ref).toMatch(/private/i);
    const toDb = t.of('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties).filter((r) => r.ToPort === 5432);
    expect(toDb).toHaveLength(1);
    expect(toDb[0]!.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/ServiceSecurityGroup/), 'GroupId'] });
    const dbGroup = t.of('AWS::EC2::SecurityGroup').map(([, r]) => r.Properties).find((g) => String(g.GroupDescription).includes('database'))!;
    expect(dbGroup.SecurityGroupIngress).toBeUndefined();
  });

  it('keeps its password in a generated secret, given to the portal as PGPASSWORD and never in DATABASE_URL', () => {
    const instance = t.one('AWS::RDS::DBInstance');
    expect(JSON.stringify(instance.MasterUserPassword)).toContain('{{resolve:secretsmanager:');
    const c = portalContainer(t);
    const url = readable(c.Environment.find((e) => e.Name === 'DATABASE_URL')!.Value) as string;
    expect(url).toMatch(/^postgres:\/\/mfa_portal@[^:/]+:[^/]+\/mfa_portal\?sslmode=no-verify$/);
    const pg = c.Secrets.find((s) => s.Name === 'PGPASSWORD')!;
    expect(JSON.stringify(pg.ValueFrom)).toMatch(/DatabaseInstanceSecretAttachment.*:password::/);
  });
});

describe('hosting stack: secrets', () => {
  it('injects every secret as an ECS secret from Secrets Manager, and none as a plain environment variable', () => {
    const c = portalContainer(t);
    const secrets = Object.fromEntries(c.Secrets.map((s) => [s.Name, s.ValueFrom]));
    expect(Object.keys(secrets).sort()).toEqual(['MFA_CRON_SECRET', 'MFA_METRICS_TOKEN', 'MFA_REMINDER_WEBHOOK_URL', 'NEXTAUTH_SECRET', 'OIDC_CLIENT_SECRET', 'PGPASSWORD']);
    expect(secrets.NEXTAUTH_SECRET).toEqual(refOf(/^NextAuthSecret/));
    expect(secrets.MFA_CRON_SECRET).toEqual(refOf(/^CronSecret/));
    expect(secrets.MFA_METRICS_TOKEN).toEqual(refOf(/^MetricsToken/));
    expect(secrets.OIDC_CLIENT_SECRET).toEqual(refOf(/^OidcClientSecret/));
    expect(secrets.MFA_REMINDER_WEBHOOK_URL).toBe('arn:aws:secretsmanager:us-east-1:123456789012:secret:mfa-portal/webhook-AbCdEf');
    const plain = c.Environment.map((e) => e.Name);
    for (const name of SECRET_SETTINGS) if (name !== 'DATABASE_URL') expect(plain).not.toContain(name);
    for (const name of plain) expect(name).not.toMatch(/SECRET|TOKEN|PASSWORD/);
  });

  it('generates the application secrets at deploy time (no value in the template) and leaves the IdP’s to be filled in', () => {
    const secrets = t.of('AWS::SecretsManager::Secret').map(([, r]) => r.Properties);
    for (const s of secrets) expect(s.SecretString).toBeUndefined();
    const byName = Object.fromEntries(secrets.map((s) => [s.Name, s]));
    for (const name of ['mfa-portal/nextauth-secret', 'mfa-portal/cron-secret', 'mfa-portal/metrics-token'])
      expect(byName[name]!.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 64 });
    // A random placeholder until the IdP's client secret is put in.
    expect(byName['mfa-portal/oidc-client-secret']!.GenerateSecretString).toEqual({});
  });

  it('uses an existing OIDC client secret by ARN, and sets no OIDC settings without an IdP', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:idp/mfa-portal-AbCdEf';
    const existing = hostingTemplate(hostingConfig({ oidc: { ...oidc, clientSecretArn: arn } }));
    expect(portalContainer(existing).Secrets.find((s) => s.Name === 'OIDC_CLIENT_SECRET')!.ValueFrom).toBe(arn);
    expect(existing.of('AWS::SecretsManager::Secret').map(([, r]) => r.Properties.Name)).not.toContain('mfa-portal/oidc-client-secret');
    const none = hostingTemplate(hostingConfig());
    expect(portalContainer(none).Secrets.map((s) => s.Name)).not.toContain('OIDC_CLIENT_SECRET');
    expect(portalContainer(none).Environment.map((e) => e.Name).filter((n) => n.startsWith('OIDC_'))).toEqual([]);
  });
});

describe('hosting stack: alarms', () => {
  const alarms = t.of('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
  const metric = (a: Record<string, unknown>) => `${String(a.Namespace)}/${String(a.MetricName)}`;

  it('watches the load balancer, the targets, the service, the database, the event queues and the schedules', () => {
    expect(alarms.map(metric).sort()).toEqual(
      [
        'AWS/ApplicationELB/HTTPCode_ELB_5XX_Count',
        'AWS/ApplicationELB/HTTPCode_Target_5XX_Count',
        'AWS/ApplicationELB/UnHealthyHostCount',
        'AWS/ECS/CPUUtilization',
        'AWS/ECS/MemoryUtilization',
        'AWS/RDS/CPUUtilization',
        'AWS/RDS/FreeStorageSpace',
        'AWS/RDS/DatabaseConnections',
        'AWS/SQS/ApproximateAgeOfOldestMessage',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        'AWS/Events/FailedInvocations',
        'AWS/Events/FailedInvocations',
        'AWS/Events/FailedInvocations',
        'AWS/Events/FailedInvocations',
        'AWS/Events/FailedInvocations',
        'AWS/Scheduler/TargetErrorCount',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
      ].sort(),
    );
    const dlq = alarms.find((a) => JSON.stringify(a.Dimensions).includes('mfa-portal-iam-events-dlq'))!;
    expect(dlq).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: 'mfa-portal-iam-events-dlq' }], Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarms.find((a) => a.MetricName === 'FreeStorageSpace')).toMatchObject({ ComparisonOperator: 'LessThanThreshold' });
  });

  it('notifies an encrypted SNS topic, to which the configured addresses are subscribed', () => {
    const [topicId, topic] = t.of('AWS::SNS::Topic')[0]!;
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    for (const a of alarms) {
      expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.OKActions).toEqual([{ Ref: topicId }]);
    }
    expect(t.one('AWS::SNS::Subscription')).toMatchObject({ Protocol: 'email', Endpoint: 'ops@example.org', TopicArn: { Ref: topicId } });
    const key = t.one('AWS::KMS::Key') as { EnableKeyRotation: boolean; KeyPolicy: { Statement: { Principal: unknown; Action: unknown }[] } };
    expect(key.EnableKeyRotation).toBe(true);
    // CloudWatch must be able to use the key, or the alarms publish nothing.
    expect(key.KeyPolicy.Statement).toContainEqual(expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }));
  });

  it('has no event queue alarms without IAM change events', () => {
    const off = hostingTemplate(hostingConfig({}, { events: false })).of('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    expect(off.filter((a) => /mfa-portal-iam-events/.test(JSON.stringify(a.Dimensions)))).toEqual([]);
    expect(off.length).toBe(alarms.length - 2);
  });

  it('watches each rule that POSTs a cron route, and EventBridge Scheduler’s errors and dead letters', () => {
    const failed = alarms.filter((a) => a.MetricName === 'FailedInvocations');
    const rules = t.of('AWS::Events::Rule').map(([id]) => ({ Ref: id }));
    expect(failed.map((a) => (a.Dimensions as { Name: string; Value: unknown }[])[0])).toEqual(expect.arrayContaining(rules.map((r) => ({ Name: 'RuleName', Value: r }))));
    expect(failed).toHaveLength(rules.length);
    expect(alarms.find((a) => a.Namespace === 'AWS/Scheduler')).toMatchObject({
      MetricName: 'TargetErrorCount',
      Dimensions: [{ Name: 'ScheduleGroup', Value: 'mfa-portal' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const [dlqId] = t.of('AWS::SQS::Queue').find(([, r]) => r.Properties.QueueName === 'mfa-portal-scheduler-dlq')!;
    expect(alarms.find((a) => JSON.stringify(a.Dimensions).includes(dlqId))).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
    });
    const unscheduled = hostingTemplate(hostingConfig({ schedules: { inventory: null, reminders: null, sweepLeftovers: null, windows: null, campaignDigest: null } })).of('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    expect(unscheduled.filter((a) => a.Namespace === 'AWS/Scheduler' || a.Namespace === 'AWS/Events' || /Schedules/.test(JSON.stringify(a.Dimensions)))).toEqual([]);
    expect(unscheduled.length).toBe(alarms.length - 7);
  });
});
