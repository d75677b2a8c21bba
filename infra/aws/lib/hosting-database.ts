import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { HostingConfig } from './hosting-config';

export const DATABASE_NAME = 'mfa_portal';
export const DATABASE_USER = 'mfa_portal';

const ENGINES = {
  '16': rds.PostgresEngineVersion.VER_16,
  '17': rds.PostgresEngineVersion.VER_17,
  '18': rds.PostgresEngineVersion.VER_18,
} as const;

/**
 * The portal's PostgreSQL: one RDS instance in the private subnets, encrypted, with automated backups, deletion
 * protection and TLS required of every client (rds.force_ssl). Its master credentials are generated into Secrets
 * Manager; only the service's security group may connect (the stack allows it).
 */
export class HostingDatabase extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: { hosting: HostingConfig; vpc: ec2.IVpc }) {
    super(scope, id);
    const db = props.hosting.database;
    const engine = rds.DatabaseInstanceEngine.postgres({ version: ENGINES[db.engineVersion] });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'MFA Portal database: PostgreSQL from the portal service only',
      allowAllOutbound: false,
    });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'MFA Portal: TLS required',
      parameters: { 'rds.force_ssl': '1' },
    });
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: new ec2.InstanceType(db.instanceClass.replace(/^db\./, '')),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      databaseName: DATABASE_NAME,
      // Letters and digits only: the password never needs quoting in a URL or a shell.
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_USER, { secretName: 'mfa-portal/database', excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\,.^=-_' }),
      parameterGroup,
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: db.allocatedStorageGiB,
      maxAllocatedStorage: db.maxAllocatedStorageGiB,
      multiAz: db.multiAz,
      backupRetention: Duration.days(db.backupRetentionDays),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      enablePerformanceInsights: true,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      copyTagsToSnapshot: true,
    });

    NagSuppressions.addResourceSuppressions(this.instance, [
      {
        id: 'AwsSolutions-RDS11',
        reason: 'The default PostgreSQL port: the instance is in private subnets and its security group admits only the portal service, so another port would hide nothing.',
      },
      ...(db.multiAz
        ? []
        : [{ id: 'AwsSolutions-RDS3', reason: 'Multi-AZ turned off in the config (hosting.database.multiAz: false), e.g. for a test installation; backups still run daily.' }]),
    ]);
    // The generated secret itself (instance.secret is its attachment to the instance).
    NagSuppressions.addResourceSuppressions(
      this.instance.node.findChild('Secret'),
      [
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'The portal reads the database password once at start (PGPASSWORD from this secret): rotate it by rotating the secret and then forcing a new ECS deployment, not on a schedule that would break running tasks.',
        },
      ],
    );
  }
}
