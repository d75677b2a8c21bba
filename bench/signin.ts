/**
 * Company sign-in benchmark: IAM calls and median time per OIDC sign-in (identityForEmail), today's way (every user
 * of every managed account listed: GetAccountAuthorizationDetails) against the index (candidates from the stored
 * inventory, each confirmed with GetUser + ListGroupsForUser), at several organisation shapes, on a throwaway local
 * stack. Calls are counted in the fidelity proxy (a zero-latency rule per operation). Each shape runs in its own child
 * process with its own MFA_ACCOUNTS and database; "today" is measured first, while the index is empty (the fallback
 * is today's full scan), then an inventory run fills the index. Figures are printed, never asserted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { CreateRoleCommand, CreateUserCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { assumeRole, iamClient, type AwsTarget } from '../infra/local/aws-clients';
import { HOSTING_ACCOUNT, MEMBER_ROLE_EXTERNAL_ID, MEMBER_ROLE_NAME, PORTAL_USER_NAME } from '../infra/local/organisation';
import { memberRolePolicy, memberRoleTrustPolicy } from '../infra/local/policies';
import { roleArn } from '../lib/iam-identifiers';
import { median, ms } from './stats';

type Shape = { accounts: number; users: number };
const DEFAULT_SHAPES: Shape[] = [
  { accounts: 3, users: 50 },
  { accounts: 10, users: 1000 },
  { accounts: 100, users: 100 },
];
const SEED_CONCURRENCY = 16;
/** Who signs in: one person with one IAM user, one with a user in each of the first three accounts. */
const PEOPLE = [
  { label: '1 principal', email: (s: number) => `user-1@acct-0.s${s}.bench.example`, principals: 1 },
  { label: '3 principals', email: (s: number) => `three@s${s}.bench.example`, principals: 3 },
];
const COUNTED = ['GetAccountAuthorizationDetails', 'GetUser', 'ListGroupsForUser', 'ListUserTags', 'AssumeRole'] as const;
const TRIPWIRE = 1000;

type Measured = { label: string; principals: number; found: number; calls: Record<string, number>; iamCalls: number; stsCalls: number; medianMs: number };
type ChildResult = { today: Measured[]; indexed: Measured[]; inventoryMs: number; inventoryStatus: string };

const accountId = (shape: number, i: number) => `5${shape}${String(i).padStart(10, '0')}`;

/** The shape's accounts (member role as the demo's) and users, created in moto directly with its auth off. */
async function seedShape(motoUrl: string, region: string, s: number, shape: Shape): Promise<string[]> {
  const target: AwsTarget = { endpoint: motoUrl, region };
  const bootstrap = { accessKeyId: 'AKIABOOTSTRAP0000000', secretAccessKey: 'bootstrap' };
  const ids = Array.from({ length: shape.accounts }, (_, i) => accountId(s, i));
  const limit = pLimit(SEED_CONCURRENCY);
  await Promise.all(
    ids.map(async (id, a) => {
      const iam = iamClient(target, await assumeRole(target, bootstrap, roleArn(id, 'OrganizationAccountAccessRole'), { sessionName: 'bench-seed' }));
      try {
        await iam.send(
          new CreateRoleCommand({
            RoleName: MEMBER_ROLE_NAME,
            AssumeRolePolicyDocument: JSON.stringify(memberRoleTrustPolicy(HOSTING_ACCOUNT, MEMBER_ROLE_EXTERNAL_ID, PORTAL_USER_NAME)),
          }),
        );
        await iam.send(new PutRolePolicyCommand({ RoleName: MEMBER_ROLE_NAME, PolicyName: 'MfaPortal', PolicyDocument: JSON.stringify(memberRolePolicy()) }));
        await Promise.all(
          Array.from({ length: shape.users }, (_, j) =>
            limit(() => {
              const email = j === 0 && a < 3 ? `three@s${s}.bench.example` : `user-${j}@acct-${a}.s${s}.bench.example`;
              return iam.send(new CreateUserCommand({ UserName: `user-${j}`, Tags: [{ Key: 'email', Value: email }, { Key: 'Team', Value: `team-${j % 7}` }] }));
            }),
          ),
        );
      } finally {
        iam.destroy();
      }
    }),
  );
  return ids;
}

const run = promisify(execFile);

async function runChild(s: number, env: Record<string, string>): Promise<ChildResult> {
  const tsx = path.join(process.cwd(), 'node_modules/tsx/dist/cli.mjs');
  const { stdout } = await run(process.execPath, [tsx, '--conditions=react-server', fileURLToPath(import.meta.url), '--signin-child', String(s)], {
    env: { ...process.env, ...env },
    maxBuffer: 16 * 2 ** 20,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`sign-in bench child ${s} printed no result: ${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('RESULT '.length)) as ChildResult;
}

/** In the child: sign-ins before and after the inventory, each one's AWS requests counted in the proxy. */
async function child(s: number): Promise<void> {
  const { getEnv } = await import('../lib/env');
  const { identityForEmail } = await import('../lib/auth/principals');
  const { startRefresh, waitForRun } = await import('../lib/inventory/refresh');
  const { resetAwsClients } = await import('../lib/aws/clients');
  const faults = `${getEnv().AWS_ENDPOINT_URL}/_local/faults`;
  const runs = { today: Number(process.env.BENCH_SIGNIN_RUNS_TODAY ?? 5), indexed: Number(process.env.BENCH_SIGNIN_RUNS ?? 21) };

  async function signIn(email: string) {
    const rules = [...COUNTED, '*'].map((action) => ({ action, kind: 'latency', latencyMs: 0, times: TRIPWIRE }));
    await fetch(faults, { method: 'POST', body: JSON.stringify(rules) });
    const t = performance.now();
    const identity = await identityForEmail({ email, groupsClaim: [] });
    const elapsed = performance.now() - t;
    const { rules: left } = (await (await fetch(faults)).json()) as { rules: { action: string; times: number }[] };
    await fetch(faults, { method: 'DELETE' });
    const calls: Record<string, number> = {};
    for (const action of [...COUNTED, '*']) {
      const used = TRIPWIRE - (left.find((r) => r.action === action)?.times ?? 0);
      if (used > 0) calls[action === '*' ? 'other' : action] = used;
    }
    return { elapsed, calls, found: identity.principals.length };
  }

  async function measure(n: number): Promise<Measured[]> {
    const out: Measured[] = [];
    for (const person of PEOPLE) {
      const times: number[] = [];
      let last: Awaited<ReturnType<typeof signIn>> | undefined;
      let stsCalls = 0;
      // One cold sign-in first, with no role session cached: it assumes the member role in each account it reads.
      resetAwsClients();
      for (let i = 0; i <= n; i++) {
        last = await signIn(person.email(s));
        if (i === 0) stsCalls = last.calls.AssumeRole ?? 0;
        else times.push(last.elapsed);
      }
      const iam = Object.fromEntries(Object.entries(last!.calls).filter(([op]) => op !== 'AssumeRole'));
      out.push({ label: person.label, principals: person.principals, found: last!.found, calls: iam, iamCalls: Object.values(iam).reduce((a, b) => a + b, 0), stsCalls, medianMs: median(times) });
    }
    return out;
  }

  const today = await measure(runs.today);
  const t = performance.now();
  const started = await startRefresh({ actor: 'bench', trigger: 'manual' });
  if (!started.started) throw new Error('an inventory run is already going');
  const inventory = (await waitForRun(started.runId))!;
  const inventoryMs = performance.now() - t;
  const indexed = await measure(runs.indexed);
  console.log(`RESULT ${JSON.stringify({ today, indexed, inventoryMs, inventoryStatus: inventory.status } satisfies ChildResult)}`);
}

function parseShapes(value: string | undefined): Shape[] {
  if (!value) return DEFAULT_SHAPES;
  return value.split(',').map((v) => {
    const [accounts, users] = v.split('x').map(Number);
    if (!accounts || !users) throw new Error(`BENCH_SIGNIN_SHAPES: "${v}" is not <accounts>x<users>`);
    return { accounts, users };
  });
}

export async function benchSignin({ shapes = parseShapes(process.env.BENCH_SIGNIN_SHAPES) }: { shapes?: Shape[] } = {}) {
  const { startStack } = await import('../infra/local/stack');
  const { setMotoAuth } = await import('../infra/local/moto');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-bench-signin-'));
  const stack = await startStack({ dataDir, portalUrl: 'http://127.0.0.1:3999', usersPerAccount: 5 });
  const scaled = shapes !== DEFAULT_SHAPES;
  console.log(
    `\nCompany sign-in (identityForEmail), per sign-in: AWS calls counted in the proxy, median wall time; today = full scan, indexed = index + live confirmation` +
      (scaled ? `\n  shapes set by BENCH_SIGNIN_SHAPES (${shapes.map((x) => `${x.accounts}x${x.users}`).join(', ')}), not the issue's 3x50, 10x1000, 100x100` : ''),
  );
  try {
    for (const [s, shape] of shapes.entries()) {
      const t = performance.now();
      await setMotoAuth(stack.motoUrl, false);
      let ids: string[];
      try {
        ids = await seedShape(stack.motoUrl, stack.groundTruth.region, s, shape);
      } finally {
        await setMotoAuth(stack.motoUrl, true);
      }
      const seededS = (performance.now() - t) / 1000;
      const env = {
        ...stack.env,
        MFA_ACCOUNTS: ids.map((id, i) => `${id}:Bench ${i}`).join(','),
        MFA_ROLE_GROUPS_ACCOUNTS: ids[0]!,
        DATABASE_URL: `pglite:${path.join(dataDir, `pglite-${s}`)}`,
      };
      const r = await runChild(s, env);
      console.log(
        `  ${shape.accounts} accounts x ${shape.users} users (${shape.accounts * shape.users} users; seeded in ${seededS.toFixed(1)} s; inventory run ${(r.inventoryMs / 1000).toFixed(1)} s, ${r.inventoryStatus}):`,
      );
      for (const [i, today] of r.today.entries()) {
        const indexed = r.indexed[i]!;
        const budget = 2 + 3 * indexed.principals;
        const line = (name: string, m: Measured) =>
          `      ${name.padEnd(8)} ${String(m.iamCalls).padStart(5)} IAM calls  ${ms(m.medianMs).padStart(11)}  found ${m.found}  ${JSON.stringify(m.calls)}  (+${m.stsCalls} AssumeRole when no role session is cached)`;
        console.log(`    ${today.label}:`);
        console.log(line('today', today));
        console.log(line('indexed', indexed));
        const cold = indexed.iamCalls + indexed.stsCalls;
        console.log(
          `      goal: at most 2 + 3 x ${indexed.principals} = ${budget} calls: indexed ${indexed.iamCalls} warm, ${cold} cold (${cold <= budget ? 'met' : 'MISSED'}); ` +
            `today makes ${(today.iamCalls / Math.max(1, indexed.iamCalls)).toFixed(1)}x the calls and takes ${(today.medianMs / indexed.medianMs).toFixed(1)}x the time`,
        );
      }
    }
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--signin-child');
if (childAt >= 0) {
  await child(Number(process.argv[childAt + 1]))
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
