import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HostingConfig } from './hosting-config';

/**
 * The hosting VPC: a new one over two zones (public subnets for the load balancer, private subnets with a NAT route
 * for the tasks and the database), or an existing one named in the config (read from its ids, no lookup: synth stays
 * offline). A new VPC's traffic is recorded by flow logs; an existing VPC's flow logs are its owner's.
 */
export class HostingNetwork extends Construct {
  readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: { hosting: HostingConfig; logRetention: logs.RetentionDays }) {
    super(scope, id);
    const existing = props.hosting.existingVpc;
    if (existing) {
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: existing.vpcId,
        availabilityZones: existing.availabilityZones,
        publicSubnetIds: existing.publicSubnetIds,
        privateSubnetIds: existing.privateSubnetIds,
      });
      return;
    }
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.hosting.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      // Restricting the default security group takes a custom-resource Lambda; nothing here is placed in that group.
      restrictDefaultSecurityGroup: false,
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL } },
    });
  }
}
