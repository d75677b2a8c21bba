import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDemoLogins } from './logins';
import { defaultRepoRoot } from './python';
import { createShutdown } from './shutdown';
import { startStack } from './stack';

const usage = `Starts the local stack (moto with the demo organisation behind the AWS-fidelity proxy, the demo IdP)
for a portal you run yourself.

  npm run stack -- [--portal-url http://127.0.0.1:3000] [--users-per-account 50] [--data-dir .data]

Then: set -a; . .data/local-stack.env; set +a; npm run dev`;

const { values } = parseArgs({
  options: {
    'portal-url': { type: 'string', default: 'http://127.0.0.1:3000' },
    'users-per-account': { type: 'string', default: '50' },
    'data-dir': { type: 'string', default: join(defaultRepoRoot, '.data') },
    help: { type: 'boolean', short: 'h' },
  },
});
const usersPerAccount = Number(values['users-per-account']);
if (values.help || !Number.isInteger(usersPerAccount) || usersPerAccount < 0 || !URL.canParse(values['portal-url'])) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

/** KEY=value lines that both a shell (`. file`) and dotenv read the same way. */
const toEnvFile = (env: Record<string, string>) =>
  Object.entries(env)
    .map(([key, value]) => `${key}=${/^[\w:/.,@+=-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`}`)
    .join('\n');

const shutdown = createShutdown();
const dataDir = resolve(values['data-dir']);
const started = performance.now();
const stack = await startStack({ dataDir, portalUrl: values['portal-url'], usersPerAccount, log: console.log }).catch((error: unknown) =>
  shutdown.exit(1, (error as Error).message),
);
shutdown.add(() => stack.stop());
void stack.unexpectedExit.then((why) => shutdown.exit(1, why));

const envFile = join(dataDir, 'local-stack.env');
await mkdir(dataDir, { recursive: true });
await writeFile(envFile, `${toEnvFile(stack.env)}\n`, { mode: 0o600 });

console.log(`\nLocal stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s. Settings for the portal (also in ${envFile}):\n`);
console.log(toEnvFile(stack.env));
console.log(`\n${formatDemoLogins(stack.groundTruth)}\n`);
console.log(`Ground truth: ${stack.groundTruthFile}\nHardware tokens (secrets of the demo's tokens): ${stack.hardwareTokensFile}`);
console.log(`Fault injection: POST ${stack.awsEndpoint}/_local/faults (see infra/local/README.md)\nCtrl-C stops the stack.`);
