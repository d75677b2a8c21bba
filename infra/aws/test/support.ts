import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { vi } from 'vitest';
import { DEFAULT_CONFIG_FILE, loadConfig, parseConfig, type InfraConfig } from '../lib/config';
import { addStacks } from '../lib/mfa-portal-app';

// Synthesis is CPU-bound and the first one in a worker loads most of aws-cdk-lib: in a full parallel run on two
// cores a single test can take several seconds without anything being wrong.
vi.setConfig({ testTimeout: 30_000 });

export const exampleConfig = (): InfraConfig => loadConfig(DEFAULT_CONFIG_FILE);

/** A config from an object, with its program written to a temp folder. */
export function configWith(raw: Record<string, unknown>, program: unknown = { defaultCohort: null, cohorts: [] }): InfraConfig {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-infra-test-'));
  writeFileSync(join(dir, 'program.json'), JSON.stringify(program));
  return parseConfig({ programFile: 'program.json', ...raw }, { baseDir: dir });
}

export const minimalConfig = (extra: Record<string, unknown> = {}, program?: unknown) =>
  configWith({ hostingAccountId: '123456789012', memberRoleExternalId: 'external-id-for-tests', deployRoleExternalId: 'deploy-external-id-for-tests', ...extra }, program);

/** The whole app as bin/app.ts builds it, with cdk-nag's AwsSolutions pack. */
export function buildApp(config: InfraConfig) {
  const app = new App({ analyticsReporting: false });
  const stacks = addStacks(app, config);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, ...stacks };
}

/**
 * CloudFormation's Fn::Join of ARNs back into readable strings: `${Partition}` and `${AccountId}` stand for the
 * pseudo parameters, so tests compare whole statements.
 */
export function readable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(readable);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const join = o['Fn::Join'] as [string, unknown[]] | undefined;
    if (join && Object.keys(o).length === 1) return join[1].map((p) => readable(p)).join(join[0]);
    if (typeof o.Ref === 'string' && Object.keys(o).length === 1 && o.Ref.startsWith('AWS::')) return `\${${o.Ref.slice(5)}}`;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, readable(v)]));
  }
  return value;
}

export type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown; Principal?: unknown };
export const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
