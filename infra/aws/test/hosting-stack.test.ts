import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { exampleConfig, readable } from './support';
import { CERTIFICATE, hostingConfig, hostingTemplate, portalContainer } from './hosting-support';

const example = hostingTemplate(exampleConfig());
const minimal = hostingTemplate(hostingConfig());

describe('hosting stack: the load balancer', () => {
  it('listens with HTTPS on 443 (the configured certificate, a TLS 1.3/1.2 policy) and only redirects on 80', () => {
    const listeners = minimal.of('AWS::ElasticLoadBalancingV2::Listener').map(([, r]) => r.Properties);
    expect(listeners).toHaveLength(2);
    const https = listeners.find((l) => l.Port === 443)!;
    expect(https).toMatchObject({ Protocol: 'HTTPS', Certificates: [{ CertificateArn: CERTIFICATE }], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    expect(https.DefaultActions).toEqual([{ Type: 'forward', TargetGroupArn: expect.anything() }]);
    const http = listeners.find((l) => l.Port === 80)!;
    expect(http.DefaultActions).toEqual([{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }]);
  });

  it('is internet-facing in the public subnets and admits only ports 443 and 80', () => {
    expect(minimal.one('AWS::ElasticLoadBalancingV2::LoadBalancer')).toMatchObject({ Scheme: 'internet-facing', Type: 'application' });
    const groups = minimal.of('AWS::EC2::SecurityGroup').map(([, r]) => r.Properties);
    const alb = groups.find((g) => String(g.GroupDescription).includes('load balancer'))!;
    expect((alb.SecurityGroupIngress as { FromPort: number; ToPort: number; CidrIp: string }[]).map((r) => [r.FromPort, r.ToPort, r.CidrIp])).toEqual([
      [443, 443, '0.0.0.0/0'],
      [80, 80, '0.0.0.0/0'],
    ]);
  });

  it('writes access logs to an encrypted, private, TLS-only bucket', () => {
    const attributes = minimal.one('AWS::ElasticLoadBalancingV2::LoadBalancer').LoadBalancerAttributes as { Key: string; Value: unknown }[];
    expect(attributes).toEqual(expect.arrayContaining([{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' }]));
    const bucket = minimal.one('AWS::S3::Bucket');
    expect(bucket.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    minimal.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('health-checks the targets on /api/health and drains them within the task’s stop timeout', () => {
    const tg = minimal.one('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(tg).toMatchObject({ HealthCheckPath: '/api/health', Port: 3000, TargetType: 'ip' });
    const delay = (tg.TargetGroupAttributes as { Key: string; Value: string }[]).find((a) => a.Key === 'deregistration_delay.timeout_seconds')!;
    expect(Number(delay.Value)).toBeLessThanOrEqual(30);
  });
});

describe('hosting stack: the service', () => {
  it('runs at least two tasks in the private subnets, rolling back a failed deployment', () => {
    const service = minimal.one('AWS::ECS::Service');
    expect(service).toMatchObject({
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
    const subnets = (service.NetworkConfiguration as { AwsvpcConfiguration: { Subnets: { Ref: string }[] } }).AwsvpcConfiguration.Subnets.map((s) => s.Ref);
    expect(subnets).toHaveLength(2);
    for (const s of subnets) expect(s).toMatch(/private/i);
  });

  it('gives the container 30 s to stop, a health check on /api/health and its logs a one-year retention', () => {
    const c = portalContainer(minimal);
    expect(c.StopTimeout).toBe(30);
    expect(c.PortMappings).toEqual([{ ContainerPort: 3000, Protocol: 'tcp' }]);
    // The server listens on every interface of the task, on the mapped port.
    expect(c.Environment).toEqual(expect.arrayContaining([{ Name: 'PORT', Value: '3000' }, { Name: 'HOSTNAME', Value: '0.0.0.0' }]));
    expect(c.HealthCheck.Command.join(' ')).toContain('http://127.0.0.1:3000/api/health');
    const groups = minimal.of('AWS::Logs::LogGroup').map(([, r]) => r.Properties.RetentionInDays);
    expect(groups).toEqual([365, 365]);
    expect(hostingTemplate(hostingConfig({ logRetentionDays: 90 })).of('AWS::Logs::LogGroup').map(([, r]) => r.Properties.RetentionInDays)).toEqual([90, 90]);
  });

  it('runs the tasks as the portal role, which trusts ECS tasks of the hosting account and consumes the event queue', () => {
    expect(readable(minimal.one('AWS::ECS::TaskDefinition').TaskRoleArn)).toBe('arn:${Partition}:iam::123456789012:role/MfaPortal');
    expect(minimal.of('AWS::IAM::Role').map(([, r]) => r.Properties.RoleName)).not.toContain('MfaPortal');
    const roles = Object.values(Template.fromStack(example.built.portal).findResources('AWS::IAM::Role')) as { Properties: Record<string, unknown> }[];
    const portalRole = roles[0]!.Properties;
    expect(portalRole.RoleName).toBe('MfaPortal');
    expect(portalRole.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }],
    });
    const sids = (portalRole.Policies as { PolicyDocument: { Statement: { Sid: string }[] } }[]).flatMap((p) => p.PolicyDocument.Statement.map((s) => s.Sid));
    expect(sids).toContain('ConsumeIamEvents');
    const env = Object.fromEntries(portalContainer(example).Environment.map((e) => [e.Name, readable(e.Value)]));
    expect(env.MFA_EVENTS_QUEUE_URL).toBe('https://sqs.us-east-1.${URLSuffix}/111111111111/mfa-portal-iam-events');
    expect(example.built.hosting!.dependencies.map((s) => s.stackName)).toEqual(['MfaPortal']);
  });

  it('admits traffic to the tasks from the load balancer only', () => {
    const ingress = minimal.of('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const toTasks = ingress.filter((r) => r.FromPort === 3000);
    expect(toTasks).toHaveLength(1);
    expect(toTasks[0]!.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/LoadBalancerSecurityGroup/), 'GroupId'] });
  });
});

describe('hosting stack: the network', () => {
  it('builds a two-zone VPC with public and private subnets and flow logs of all traffic', () => {
    expect(minimal.of('AWS::EC2::Subnet')).toHaveLength(4);
    expect(minimal.of('AWS::EC2::NatGateway')).toHaveLength(2);
    expect(minimal.one('AWS::EC2::FlowLog')).toMatchObject({ ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
  });

  it('uses an existing VPC’s subnets by id, creating no network', () => {
    const t = hostingTemplate(
      hostingConfig({
        existingVpc: {
          vpcId: 'vpc-0123456789abcdef0',
          availabilityZones: ['us-east-1a', 'us-east-1b'],
          publicSubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
          privateSubnetIds: ['subnet-1111111111111111a', 'subnet-1111111111111111b'],
        },
      }),
    );
    expect(t.of('AWS::EC2::VPC')).toEqual([]);
    expect(t.of('AWS::EC2::Subnet')).toEqual([]);
    expect(t.one('AWS::ECS::Service')).toMatchObject({ NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ['subnet-1111111111111111a', 'subnet-1111111111111111b'] } } });
    expect(t.one('AWS::ElasticLoadBalancingV2::LoadBalancer').Subnets).toEqual(['subnet-0000000000000000a', 'subnet-0000000000000000b']);
    expect(t.one('AWS::RDS::DBSubnetGroup').SubnetIds).toEqual(['subnet-1111111111111111a', 'subnet-1111111111111111b']);
  });
});

describe('hosting stack: the image', () => {
  it('pulls an ECR image by URI with a pull grant limited to its repository', () => {
    const c = portalContainer(example);
    expect(readable(c.Image)).toBe('111111111111.dkr.ecr.us-east-1.${URLSuffix}/mfa-portal:1.0.0');
    const policy = example.of('AWS::IAM::Policy').map(([, r]) => readable(r.Properties.PolicyDocument) as { Statement: { Action: unknown; Resource: unknown }[] });
    const pull = policy.flatMap((p) => p.Statement).find((s) => JSON.stringify(s.Action).includes('ecr:BatchGetImage'))!;
    expect(pull.Resource).toBe('arn:${Partition}:ecr:us-east-1:111111111111:repository/mfa-portal');
  });

  it('declares a Dockerfile build as a deploy-time asset, without building it at synth, from the sources only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-hosting-image-'));
    // A Dockerfile that cannot build: synthesis must not try.
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nRUN exit 1\n');
    for (const f of ['node_modules/pkg', '.env.local', '.env', 'infra/aws/cdk.out/x.json', '.env.example', 'app/page.tsx']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), 'x');
    }
    const config = hostingConfig();
    const t = hostingTemplate({ ...config, hosting: { ...config.hosting!, image: { directory: dir, file: 'Dockerfile' } } });
    expect(JSON.stringify(portalContainer(t).Image)).toContain('cdk-hnb659fds-container-assets');
    const assembly = t.built.app.synth();
    const assets = JSON.parse(readFileSync(join(assembly.directory, 'MfaPortalHosting.assets.json'), 'utf8')) as { dockerImages: Record<string, { source: { directory: string; dockerFile?: string } }> };
    const images = Object.values(assets.dockerImages);
    expect(images).toHaveLength(1);
    expect(images[0]!.source.dockerFile).toBe('Dockerfile');
    // The build context keeps the sources and leaves out dependencies, local env files (secrets) and CDK output.
    const staged = join(assembly.directory, images[0]!.source.directory);
    expect(['Dockerfile', '.env.example', 'app/page.tsx'].filter((f) => existsSync(join(staged, f)))).toEqual(['Dockerfile', '.env.example', 'app/page.tsx']);
    expect(['node_modules', '.env', '.env.local', 'infra/aws/cdk.out'].filter((f) => existsSync(join(staged, f)))).toEqual([]);
  });
});
