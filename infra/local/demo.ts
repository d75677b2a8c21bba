import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnManaged, waitUntilReady } from './child';
import { prepareDemoDatabase } from './demo-database';
import { formatDemoLogins } from './logins';
import { freePort } from './ports';
import { defaultRepoRoot } from './python';
import { createShutdown } from './shutdown';
import { organizationsSettings } from './aws-organization';
import { startStack } from './stack';
import { removeDemoState, writeDemoState } from './demo-fido';

/** `npm run demo`: the local stack, a production build of the portal, and the logins to try it. */

const repoRoot = defaultRepoRoot;
const next = join(repoRoot, 'node_modules', '.bin', 'next');
/** The build's inputs: a BUILD_ID newer than all of them is up to date. */
const SOURCE_DIRS = ['app', 'components', 'lib'];
const SOURCE_FILES = ['next.config.ts', 'package.json', 'proxy.ts', 'instrumentation.ts', 'postcss.config.mjs'];
const TEST_FILE = /\.test\.tsx?$/;
const READY_TIMEOUT_MS = 60_000;

async function newestSourceMtime(): Promise<number> {
  let newest = 0;
  const consider = async (file: string) => {
    const s = await stat(file).catch(() => undefined);
    if (s?.isFile()) newest = Math.max(newest, s.mtimeMs);
  };
  for (const dir of SOURCE_DIRS) {
    const entries = await readdir(join(repoRoot, dir), { recursive: true }).catch(() => [] as string[]);
    for (const entry of entries) if (!TEST_FILE.test(entry)) await consider(join(repoRoot, dir, entry));
  }
  for (const file of SOURCE_FILES) await consider(join(repoRoot, file));
  return newest;
}

async function buildIsCurrent(): Promise<boolean> {
  const buildId = join(repoRoot, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  return (await stat(buildId)).mtimeMs > (await newestSourceMtime());
}

const shutdown = createShutdown();
const port = process.env.PORT ? Number(process.env.PORT) : await freePort();
const url = `http://127.0.0.1:${port}`;

// moto is reseeded below, so the portal's database starts fresh too: nothing from a previous session may carry over.
const databaseUrl = process.env.DATABASE_URL ?? 'pglite:.data/pglite';
console.log(await prepareDemoDatabase(databaseUrl, repoRoot).catch((error: unknown) => shutdown.exit(1, (error as Error).message)));

const stack = await startStack({ repoRoot, dataDir: join(repoRoot, '.data'), portalUrl: url, log: console.log }).catch((error: unknown) =>
  shutdown.exit(1, (error as Error).message),
);
shutdown.add(() => stack.stop());
void stack.unexpectedExit.then((why) => shutdown.exit(1, why));

const env: NodeJS.ProcessEnv = { ...process.env, ...stack.env, NEXT_TELEMETRY_DISABLED: '1' };
// A session token or profile from the caller's shell would be mixed with the stack's static key.
delete env.AWS_SESSION_TOKEN;
delete env.AWS_PROFILE;
// The demo enforces the seeded operators group (the demo program's Operators category), unless told otherwise.
env.MFA_ENFORCEMENT_GROUPS ??= 'operators';
// `MFA_DEMO_ACCOUNT_SOURCE=organizations npm run demo`: the accounts from moto's Organizations (aws-organization.ts),
// with its suspended and role-less accounts; the static MFA_ACCOUNTS list otherwise.
if (process.env.MFA_DEMO_ACCOUNT_SOURCE === 'organizations' && stack.groundTruth.organization) Object.assign(env, organizationsSettings(stack.groundTruth.organization));

if (!(await buildIsCurrent())) {
  console.log('Building the portal (next build)…');
  const build = spawnManaged(next, ['build'], { name: 'next build', cwd: repoRoot, env, output: 'inherit' });
  shutdown.add(() => build.stop());
  const { code, signal } = await build.exited;
  if (code !== 0) await shutdown.exit(1, `next build failed (${signal ?? `exit code ${code}`}).`);
}

// The demo program goes in before the portal opens the database (PGlite: one process per directory).
const program = spawnManaged(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['--conditions=react-server', 'infra/local/demo-program.ts', databaseUrl, stack.hardwareTokensFile], {
  name: 'the demo program',
  cwd: repoRoot,
  env,
  output: 'inherit',
});
shutdown.add(() => program.stop());
if ((await program.exited).code !== 0) await shutdown.exit(1, 'could not write the demo program into the database.');

// The container's server (the Dockerfile's runtime stage, performed into .standalone/ by scripts/standalone.mjs).
const portal = spawnManaged(process.execPath, ['scripts/standalone.mjs', '--skip-build', '--start', '--host', '127.0.0.1'], {
  name: 'the portal (standalone server)',
  cwd: repoRoot,
  env: { ...env, PORT: String(port) },
  output: 'inherit',
});
shutdown.add(() => portal.stop());
void portal.unexpectedExit.then((why) => shutdown.exit(1, why));
await waitUntilReady(portal, async () => (await fetch(`${url}/signin`, { redirect: 'manual' })).status < 500, `the portal on ${url}`, READY_TIMEOUT_MS).catch(
  (error: unknown) => shutdown.exit(1, (error as Error).message),
);

// Where `npm run demo:fido -- USER` finds this demo's moto (no secrets: the keys stay in the ground truth).
await writeDemoState(repoRoot, { motoUrl: stack.motoUrl, portalUrl: url, groundTruthFile: stack.groundTruthFile, pid: process.pid });
shutdown.add(() => removeDemoState(repoRoot));
console.log(`\nMFA Portal demo: ${url}\n\n${formatDemoLogins(stack.groundTruth)}\n`);
console.log(`Demo organisation: ${stack.groundTruthFile}\nCtrl-C stops the portal, the IdP and moto.`);
