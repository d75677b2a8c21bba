/**
 * The MFA Portal's AWS infrastructure. `npm run infra:synth` writes the templates to infra/aws/cdk.out without
 * AWS credentials; `npx aws-cdk@2.1148.1 deploy` (from infra/aws) deploys them. See ../README.md.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_KEYS, DEFAULT_CONFIG_FILE, loadConfig, type InfraConfig } from '../lib/config';
import { addStacks } from '../lib/mfa-portal-app';

const app = new App({
  // The CDK CLI tells the app where to write; run directly, it writes beside this folder.
  outdir: process.env.CDK_OUTDIR ?? fileURLToPath(new URL('../cdk.out', import.meta.url)),
  analyticsReporting: false,
});

const overrides = Object.fromEntries(CONFIG_KEYS.map((k) => [k, app.node.tryGetContext(k) as unknown]));
const configFile = (app.node.tryGetContext('config') as string | undefined) ?? process.env.MFA_INFRA_CONFIG ?? DEFAULT_CONFIG_FILE;
let config: InfraConfig;
try {
  config = loadConfig(configFile, overrides);
} catch (error) {
  console.error(`Invalid infrastructure configuration: ${(error as Error).message}`);
  process.exit(1);
}
const stacks = addStacks(app, config);
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));

const assembly = app.synth();
// Like `cdk synth`, refuse templates with errors; unacknowledged cdk-nag warnings count as errors too.
const problems = assembly.stacks.flatMap((s) =>
  s.messages
    .filter((m) => m.level === 'error' || (m.level === 'warning' && String(m.entry.data).startsWith('AwsSolutions-')))
    .map((m) => `${m.id}: ${String(m.entry.data)}`),
);
if (problems.length) {
  console.error(`Synthesis found ${problems.length} problem(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`Templates written to ${assembly.directory}:`);
for (const s of Object.values(stacks)) if (s) console.log(`  ${s.stackName}: ${join(assembly.directory, s.templateFile)}`);
