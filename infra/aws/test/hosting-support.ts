import { Template } from 'aws-cdk-lib/assertions';
import type { InfraConfig } from '../lib/config';
import { buildApp, minimalConfig } from './support';

export const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

/** A minimal config with a hosting section (an image by URI: no Dockerfile needed), `hosting` merged over it. */
export const hostingConfig = (hosting: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  minimalConfig({
    managedAccountIds: ['123456789012'],
    hosting: { portalUrl: 'https://mfa.example.org', certificateArn: CERTIFICATE, image: { uri: 'ghcr.io/example/mfa-portal:1.2.3' }, ...hosting },
    ...extra,
  });

type Resource = { Type: string; Properties: Record<string, unknown> };

/** The hosting stack's template, and its resources of one type. */
export function hostingTemplate(config: InfraConfig) {
  const built = buildApp(config);
  if (!built.hosting) throw new Error('no hosting stack');
  const template = Template.fromStack(built.hosting);
  const json = template.toJSON() as { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };
  const of = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
  const one = (type: string) => {
    const found = of(type);
    if (found.length !== 1) throw new Error(`${found.length} ${type} in the hosting stack`);
    return found[0]![1].Properties;
  };
  return { built, template, json, of, one };
}

/** The portal container's definition. */
export function portalContainer(t: ReturnType<typeof hostingTemplate>) {
  const defs = t.one('AWS::ECS::TaskDefinition').ContainerDefinitions as Record<string, unknown>[];
  if (defs.length !== 1) throw new Error(`${defs.length} containers`);
  return defs[0] as {
    Environment: { Name: string; Value: unknown }[];
    Secrets: { Name: string; ValueFrom: unknown }[];
    HealthCheck: { Command: string[] };
    StopTimeout: number;
    Image: unknown;
    PortMappings: { ContainerPort: number }[];
  };
}
