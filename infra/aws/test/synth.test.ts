/**
 * `npm run infra:synth` end to end: the script from package.json runs in a child process, as npm would run it, with
 * CDK_OUTDIR in a temp folder, without AWS credentials, and with test/fixtures/offline.mjs preloaded so that any
 * network access fails the run. Three runs, started together: the example config, the same with a cdk-nag finding
 * injected (test/fixtures/nag-finding.mjs), and an invalid config.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_NAMES } from '../lib/mfa-portal-app';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const SCRIPT = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['infra:synth']!;

/** Temp folders to remove after the runs. */
const temporary: string[] = [];

type Run = { code: number | null; stdout: string; stderr: string; outdir: string };

/** Runs the infra:synth script like npm does (sh -c, node_modules/.bin on PATH), from the repository root. */
function synth(options: { preload?: string[]; env?: Record<string, string> } = {}): Promise<Run> {
  const outdir = mkdtempSync(join(tmpdir(), 'mfa-infra-synth-'));
  temporary.push(outdir);
  // No AWS credentials or profile, no CDK or config settings from the environment running the tests.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|CDK_|MFA_|NODE_OPTIONS$)/.test(k)));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    NODE_ENV: process.env.NODE_ENV,
    PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_OUTDIR: outdir,
    NODE_OPTIONS: [fixture('offline.mjs'), ...(options.preload ?? [])].map((f) => `--import ${f}`).join(' '),
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', SCRIPT], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, outdir }));
  });
}

type CfnTemplate = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
const readTemplate = (run: Run, stack: string) => JSON.parse(readFileSync(join(run.outdir, `${stack}.template.json`), 'utf8')) as CfnTemplate;
const resourcesOf = (t: CfnTemplate, type: string) => Object.values(t.Resources).filter((r) => r.Type === type);

let ok: Run;
let nagFinding: Run;
let invalid: Run;
let invalidConfigFile: string;
let tooManyCohorts: Run;
let tooManyCohortsProgram: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-infra-config-'));
  temporary.push(dir);
  invalidConfigFile = join(dir, 'config.json');
  writeFileSync(invalidConfigFile, JSON.stringify({ hostingAccountId: '1234', memberRoleExternalId: 'a-valid-external-id', deployRoleExternalId: 'a-valid-deploy-id' }));
  // The example config with a program of 120 cohorts: more than ten managed policies hold.
  tooManyCohortsProgram = join(dir, 'program.json');
  const cohorts = Array.from({ length: 120 }, (_, i) => ({ cohort: `cohort-${String(i).padStart(3, '0')}-operations-team`, deadline: `2027-01-01T00:${String(i % 60).padStart(2, '0')}:00Z` }));
  writeFileSync(tooManyCohortsProgram, JSON.stringify({ defaultCohort: null, cohorts }));
  const example = JSON.parse(readFileSync(join(ROOT, 'infra/aws/config.example.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'too-many.json'), JSON.stringify({ ...example, programFile: 'program.json' }));
  [ok, nagFinding, invalid, tooManyCohorts] = await Promise.all([
    synth(),
    synth({ preload: [fixture('nag-finding.mjs')] }),
    // The config file as `npm run infra:synth` takes it, and a context override as `cdk synth -c key=value` passes it.
    synth({ env: { MFA_INFRA_CONFIG: invalidConfigFile, CDK_CONTEXT_JSON: JSON.stringify({ memberRoleExternalId: 'x' }) } }),
    synth({ env: { MFA_INFRA_CONFIG: join(dir, 'too-many.json') } }),
  ]);
}, 180_000);

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('npm run infra:synth', () => {
  it('is the entry point bin/app.ts', () => {
    expect(SCRIPT).toBe('node scripts/run.mjs tsx infra/aws/bin/app.ts');
  });

  it('succeeds offline with the example config, and says where each template is', () => {
    expect(ok.stderr).not.toMatch(/OFFLINE GUARD/);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const stacks = Object.values(STACK_NAMES);
    expect(ok.stdout).toBe(
      [`Templates written to ${ok.outdir}:`, ...stacks.map((s) => `  ${s}: ${join(ok.outdir, `${s}.template.json`)}`), ''].join('\n'),
    );
    const manifest = JSON.parse(readFileSync(join(ok.outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string }> };
    const stackArtifacts = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([id]) => id);
    expect(stackArtifacts.sort()).toEqual([...stacks].sort());
  });

  it('writes the portal role', () => {
    const roles = resourcesOf(readTemplate(ok, STACK_NAMES.portal), 'AWS::IAM::Role');
    expect(roles.map((r) => r.Properties.RoleName)).toEqual(['MfaPortal']);
  });

  it('writes the member role, the deploy role (mfa-* tags in every casing), the enforcement policy and the groups', () => {
    const member = readTemplate(ok, STACK_NAMES.member);
    const roles = resourcesOf(member, 'AWS::IAM::Role');
    expect(roles.map((r) => r.Properties.RoleName)).toEqual(['MfaPortalMember', 'MfaPortalDeploy', 'MfaPortalEventsForwarder']);
    const role = roles[1];
    type Statement = { Sid: string; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> };
    const statements = (role!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    const tagging = statements.find((s) => s.Sid === 'TagUsersMfaKeysOnly')!;
    expect(tagging.Condition!['ForAllValues:StringLike']!['aws:TagKeys']).toHaveLength(8);
    expect(statements.flatMap((s) => s.Action)).not.toContain('iam:ListEntitiesForPolicy');

    const policies = resourcesOf(member, 'AWS::IAM::ManagedPolicy');
    expect(policies.map((p) => p.Properties.ManagedPolicyName)).toEqual(['MfaPortalEnforcement']);
    const sids = (policies[0]!.Properties.PolicyDocument as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid);
    expect(sids).toContain('OnlyThePortalChangesMfaTags');
    expect(resourcesOf(member, 'AWS::IAM::Group').map((g) => g.Properties.GroupName)).toEqual(expect.arrayContaining(['mfa-enforced', 'mfa-portal-admins', 'mfa-portal-security']));
  });

  it('writes the StackSet, whose template is the member stack’s', () => {
    const sets = resourcesOf(readTemplate(ok, STACK_NAMES.stackSet), 'AWS::CloudFormation::StackSet');
    expect(sets).toHaveLength(1);
    expect(JSON.parse(sets[0]!.Properties.TemplateBody as string)).toEqual(readTemplate(ok, STACK_NAMES.member));
  });

  it('writes the hosting stack of the example config: the service, its database and its scheduled calls', () => {
    const hosting = readTemplate(ok, STACK_NAMES.hosting);
    expect(resourcesOf(hosting, 'AWS::ECS::Service')).toHaveLength(1);
    expect(resourcesOf(hosting, 'AWS::RDS::DBInstance')).toHaveLength(1);
    expect(resourcesOf(hosting, 'AWS::Events::Rule')).toHaveLength(5);
    expect(resourcesOf(hosting, 'AWS::Scheduler::Schedule')).toHaveLength(5);
  });

  it('fails (exit 1) on an unsuppressed cdk-nag finding, naming each one', () => {
    expect(nagFinding.stderr).not.toMatch(/OFFLINE GUARD/);
    expect(nagFinding.code).toBe(1);
    expect(nagFinding.stdout).not.toMatch(/Templates written/);
    const [head, ...problems] = nagFinding.stderr.trim().split(/\n+/);
    expect(head).toBe('Synthesis found 2 problem(s):');
    expect(problems.map((p) => p.replace(/\]: .*/, ']'))).toEqual([
      '/MfaPortal/InjectedWideRole/Resource: AwsSolutions-IAM5[Action::iam:*]',
      '/MfaPortal/InjectedWideRole/Resource: AwsSolutions-IAM5[Resource::*]',
    ]);
  });

  it('fails (exit 1) on an invalid config before synthesizing, naming every problem and where it came from', () => {
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toBe(
      [
        `Invalid infrastructure configuration: ${invalidConfigFile}:`,
        '  hostingAccountId: must be a 12-digit AWS account id',
        '  memberRoleExternalId: must be 2-1224 characters of letters, digits and +=,.@:/-',
        '',
      ].join('\n'),
    );
    expect(readdirSync(invalid.outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
    expect(existsSync(join(invalid.outdir, 'manifest.json'))).toBe(false);
  });

  it('fails (exit 1) with the same tidy message when the program’s cohorts do not fit the policies a group can hold', () => {
    expect(tooManyCohorts.code).toBe(1);
    expect(tooManyCohorts.stdout).toBe('');
    expect(tooManyCohorts.stderr).toMatch(
      new RegExp(`^Invalid infrastructure configuration: ${tooManyCohortsProgram.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\n  cohorts: The program's 120 cohorts do not fit in 10 managed policies of 6144 characters .*\n$`),
    );
    expect(tooManyCohorts.stderr).not.toMatch(/\bat \S+ \(/);
    expect(readdirSync(tooManyCohorts.outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
  });
});
