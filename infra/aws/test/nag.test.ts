import { App, Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp, exampleConfig, minimalConfig } from './support';

const nagFindings = (stack: Stack) => {
  const a = Annotations.fromStack(stack);
  const rule = Match.stringLikeRegexp('AwsSolutions-.*');
  return [...a.findError('*', rule), ...a.findWarning('*', rule)].map((f) => `${f.id}: ${String(f.entry.data)}`);
};

const configs = {
  example: exampleConfig(),
  // Wildcard member-role ARNs in the portal role, no SES, self-managed StackSet.
  minimal: minimalConfig({ stackSet: { permissionModel: 'SELF_MANAGED', accountIds: ['123456789012'] } }),
};

describe.each(Object.entries(configs))('cdk-nag AwsSolutionsChecks (%s config)', (_name, config) => {
  const built = buildApp(config);
  const stacks = [built.portal, built.member, built.stackSet!, ...(built.organizations ? [built.organizations] : [])];

  it.each(stacks.map((s) => [s.stackName, s] as const))('%s has no unsuppressed errors or warnings', (_n, stack) => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('gives every suppression a reason and scopes it to named findings', () => {
    const suppressions = stacks.flatMap((s) =>
      Object.entries(Template.fromStack(s).toJSON().Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: Suppression[] } } }>).flatMap(
        ([id, r]) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((x) => ({ resource: `${s.stackName}/${id}`, ...x })),
      ),
    );
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.reason.length, `${s.resource} ${s.id}`).toBeGreaterThanOrEqual(60);
      expect(s.reason).not.toMatch(/\b(todo|tbd|fixme|n\/a)\b/i);
      // No blanket suppression of a rule: each one names the findings it accepts.
      expect(s.applies_to?.length, `${s.resource} ${s.id} applies to nothing in particular`).toBeGreaterThan(0);
    }
  });
});

describe('cdk-nag itself', () => {
  it('flags an unsuppressed wildcard, so the checks above are not vacuous', () => {
    const app = new App();
    const stack = new Stack(app, 'Probe');
    new iam.Role(stack, 'Wide', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      inlinePolicies: { All: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['iam:*'], resources: ['*'] })] }) },
    });
    Aspects.of(app).add(new AwsSolutionsChecks());
    expect(nagFindings(stack).join('\n')).toMatch(/AwsSolutions-IAM5/);
  });
});

type Suppression = { id: string; reason: string; applies_to?: string[] };

describe.each(Object.entries(configs))('every suppression is needed (%s config)', (_name, config) => {
  it('without the suppressions, cdk-nag reports exactly the suppressed findings', () => {
    const built = buildApp(config);
    for (const stack of [built.portal, built.member, built.stackSet!, ...(built.organizations ? [built.organizations] : [])]) {
      const suppressed: string[] = [];
      for (const c of stack.node.findAll()) {
        if (!CfnResource.isCfnResource(c)) continue;
        const meta = c.getMetadata('cdk_nag') as { rules_to_suppress?: Suppression[] } | undefined;
        for (const r of meta?.rules_to_suppress ?? []) for (const a of r.applies_to ?? []) suppressed.push(`${r.id}[${a}]`);
        if (meta) c.addMetadata('cdk_nag', { rules_to_suppress: [] });
      }
      const found = nagFindings(stack).map((f) => /^(AwsSolutions-\w+\[[^\]]+\])/.exec(f.replace(/^[^:]*: /, ''))?.[1] ?? f);
      expect(found.sort(), stack.stackName).toEqual(suppressed.sort());
    }
  });
});
