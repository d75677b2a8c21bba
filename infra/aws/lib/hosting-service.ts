import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { HostingConfig } from './hosting-config';

/** The port the image's server listens on (the Dockerfile's PORT). */
export const CONTAINER_PORT = 3000;
export const HEALTH_PATH = '/api/health';

/** Never copied into the image's build context (nor hashed at synth): dependencies, builds, local data and secrets, VCS. */
const ASSET_EXCLUDE = ['node_modules', '**/node_modules', '**/cdk.out', '.next', '.git', '.tools', '.venv', '.data', '.env', '.env.*', '!.env.example', 'test-results', 'playwright-report', '*.log'];

/** The image: built from a Dockerfile by `cdk deploy` (never at synth), or pulled by URI (ECR: the execution role may pull it). */
function containerImage(scope: Construct, image: HostingConfig['image']): ecs.ContainerImage {
  if ('directory' in image) return ecs.ContainerImage.fromAsset(image.directory, { file: image.file, exclude: ASSET_EXCLUDE });
  const ecrImage = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/([\w./-]+?)(?::([\w.-]+)|@(sha256:[0-9a-f]{64}))$/.exec(image.uri);
  if (!ecrImage) return ecs.ContainerImage.fromRegistry(image.uri);
  const repository = ecr.Repository.fromRepositoryName(scope, 'ImageRepository', ecrImage[2]!);
  return ecs.ContainerImage.fromEcrRepository(repository, ecrImage[3] ?? ecrImage[4]);
}

export type HostingServiceProps = {
  hosting: HostingConfig;
  vpc: ec2.IVpc;
  taskRole: iam.IRole;
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
  logRetention: logs.RetentionDays;
};

/**
 * The portal on ECS Fargate behind an internet-facing Application Load Balancer that speaks HTTPS only (port 80
 * answers with a redirect). Rolling deployments keep the desired count healthy and roll back on failure; a task gets
 * 30 s between SIGTERM and SIGKILL to finish its requests, and the load balancer stops sending to it first.
 */
export class HostingService extends Construct {
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HostingServiceProps) {
    super(scope, id);
    const { hosting, vpc } = props;

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Load balancer access logs support SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(hosting.logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(accessLogs, [
      { id: 'AwsSolutions-S1', reason: 'This bucket holds the load balancer access logs; logging access to the log bucket itself would need another bucket without end.' },
    ]);

    const albSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'MFA Portal load balancer: HTTPS (and HTTP, redirected) from anywhere',
      allowAllOutbound: false,
    });
    albSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from the people using the portal and from EventBridge');
    albSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP, answered with a redirect to HTTPS');
    NagSuppressions.addResourceSuppressions(albSecurityGroup, [
      {
        id: 'AwsSolutions-EC23',
        reason: 'The portal is a web application for the whole company and the EventBridge API destinations call it over the internet: the load balancer must accept HTTPS from any address (HTTP only redirects).',
      },
    ]);

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: albSecurityGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      deletionProtection: true,
      idleTimeout: Duration.seconds(60),
    });
    this.loadBalancer.logAccessLogs(accessLogs, 'alb');

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: hosting.cpu,
      memoryLimitMiB: hosting.memoryMiB,
      taskRole: props.taskRole,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    const image = containerImage(this, hosting.image);
    taskDefinition.addContainer('portal', {
      containerName: 'portal',
      image,
      // Next's standalone server binds to $HOSTNAME, which a container runtime may set to the task's own name: on that
      // address alone neither the load balancer nor the health check (127.0.0.1) would reach it.
      environment: { ...props.environment, PORT: String(CONTAINER_PORT), HOSTNAME: '0.0.0.0' },
      secrets: props.secrets,
      portMappings: [{ containerPort: CONTAINER_PORT, protocol: ecs.Protocol.TCP }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'portal', logGroup: this.logGroup, mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
      // The image has no curl: Node itself asks the health route.
      healthCheck: {
        command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${CONTAINER_PORT}${HEALTH_PATH}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      // SIGTERM, then this long for in-flight requests, schedulers and leases (the portal's graceful shutdown).
      stopTimeout: Duration.seconds(30),
      readonlyRootFilesystem: false,
    });

    // An image from ECR (an asset or a repository URI): pulling needs the registry token, which has no resource.
    const executionPolicy = taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
    if (!(image instanceof ecs.RepositoryImage) && executionPolicy) {
      NagSuppressions.addResourceSuppressions(executionPolicy, [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'ecr:GetAuthorizationToken of the task execution role: the registry token is account-wide and has no resource-level permission; the layer reads are limited to the image repository.',
          appliesTo: ['Resource::*'],
        },
      ]);
    }
    NagSuppressions.addResourceSuppressions(taskDefinition, [
      {
        id: 'AwsSolutions-ECS2',
        reason: 'Only non-secret settings (role names, groups, URLs, the database host) are plain environment variables; every secret is an ECS secret from Secrets Manager.',
      },
    ]);

    const serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc,
      description: 'MFA Portal tasks: the load balancer only',
      // The tasks call AWS APIs, the IdP and the reminder webhook over HTTPS, and the database.
      allowAllOutbound: true,
    });
    serviceSecurityGroup.connections.allowFrom(albSecurityGroup, ec2.Port.tcp(CONTAINER_PORT), 'From the load balancer');

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: hosting.desiredCount,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [serviceSecurityGroup],
      assignPublicIp: false,
      healthCheckGracePeriod: Duration.seconds(90),
      enableExecuteCommand: false,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc,
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [this.service],
      // Below the task's 30 s stop timeout: the target is drained before the container is stopped.
      deregistrationDelay: Duration.seconds(25),
      healthCheck: { path: HEALTH_PATH, healthyHttpCodes: '200', interval: Duration.seconds(15), timeout: Duration.seconds(5), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
    });

    this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [acm.Certificate.fromCertificateArn(this, 'Certificate', hosting.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultTargetGroups: [this.targetGroup],
      open: false,
    });
    this.loadBalancer.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      open: false,
    });
  }
}
