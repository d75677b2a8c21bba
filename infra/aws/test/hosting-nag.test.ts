import { CfnResource, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp, exampleConfig } from './support';
import { hostingConfig } from './hosting-support';

const nagFindings = (stack: Stack) => {
  const a = Annotations.fromStack(stack);
  const rule = Match.stringLikeRegexp('AwsSolutions-.*');
  return [...a.findError('*', rule), ...a.findWarning('*', rule)].map((f) => `${f.id}: ${String(f.entry.data)}`);
};

type Suppression = { id: string; reason: string; applies_to?: string[] };

const configs = {
  example: exampleConfig,
  // The other branches: an image by URI outside ECR, an existing VPC, single-AZ, no IdP, no schedules, no events.
  variant: () =>
    hostingConfig(
      {
        existingVpc: {
          vpcId: 'vpc-0123456789abcdef0',
          availabilityZones: ['us-east-1a', 'us-east-1b'],
          publicSubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
          privateSubnetIds: ['subnet-1111111111111111a', 'subnet-1111111111111111b'],
        },
        database: { multiAz: false },
        schedules: { inventory: null, reminders: null, sweepLeftovers: null, windows: null, campaignDigest: null },
      },
      { events: false },
    ),
};

describe.each(Object.entries(configs))('cdk-nag AwsSolutionsChecks on the hosting stack (%s config)', (_name, config) => {
  const stack = buildApp(config()).hosting!;

  it('has no unsuppressed errors or warnings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('gives every suppression a reason, and scopes those of granular rules to named findings', () => {
    const suppressions = Object.entries(Template.fromStack(stack).toJSON().Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: Suppression[] } } }>).flatMap(
      ([id, r]) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((x) => ({ resource: id, ...x })),
    );
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.reason.length, `${s.resource} ${s.id}`).toBeGreaterThanOrEqual(60);
      expect(s.reason).not.toMatch(/\b(todo|tbd|fixme|n\/a)\b/i);
      // The IAM rules report each action and resource: a suppression names the ones it accepts.
      if (/^AwsSolutions-IAM[45]$/.test(s.id)) expect(s.applies_to?.length, `${s.resource} ${s.id} applies to nothing in particular`).toBeGreaterThan(0);
    }
  });

  it('needs every suppression: without them, cdk-nag reports exactly the suppressed findings', () => {
    const fresh = buildApp(config()).hosting!;
    const suppressed: string[] = [];
    for (const c of fresh.node.findAll()) {
      if (!CfnResource.isCfnResource(c)) continue;
      const meta = c.getMetadata('cdk_nag') as { rules_to_suppress?: Suppression[] } | undefined;
      for (const r of meta?.rules_to_suppress ?? []) {
        if (r.applies_to) for (const a of r.applies_to) suppressed.push(`${c.node.path}: ${r.id}[${a}]`);
        else suppressed.push(`${c.node.path}: ${r.id}`);
      }
      if (meta) c.addMetadata('cdk_nag', { rules_to_suppress: [] });
    }
    const found = nagFindings(fresh).map((f) => {
      const [path, rest] = [f.slice(0, f.indexOf(': ')), f.slice(f.indexOf(': ') + 2)];
      const granular = /^(AwsSolutions-\w+\[[^\]]+\])/.exec(rest);
      return `${path.replace(/^\//, '')}: ${granular ? granular[1] : rest.replace(/:.*/s, '')}`;
    });
    expect(found.sort()).toEqual(suppressed.sort());
  });
});
