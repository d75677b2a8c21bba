import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startMoto, type Moto } from './moto';
import { defaultRepoRoot, ensureVenv } from './python';
import { hardwareTokensFile, seedOrganisation } from './seed';

const usage = `Seeds the demo organisation into a fresh moto server (auth off) and reports how long it took.

  npm run seed -- [--endpoint http://127.0.0.1:PORT] [--users-per-account 50] [--out .data/ground-truth.json]

Without --endpoint it starts a throwaway moto, seeds it and stops it (a benchmark). With --endpoint, that moto
must read its hardware token inventory from hardware-tokens.json beside --out (MFA_LOCAL_HARDWARE_TOKENS).`;

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    'users-per-account': { type: 'string', default: '50' },
    out: { type: 'string', default: resolve(defaultRepoRoot, '.data', 'ground-truth.json') },
    concurrency: { type: 'string', default: '16' },
    help: { type: 'boolean', short: 'h' },
  },
});

const usersPerAccount = Number(values['users-per-account']);
const concurrency = Number(values.concurrency);
if (values.help || !Number.isInteger(usersPerAccount) || usersPerAccount < 0 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

const outFile = resolve(values.out);
let moto: Moto | undefined;
if (!values.endpoint) {
  await ensureVenv();
  moto = await startMoto({ hardwareTokensFile: hardwareTokensFile(outFile) });
}
try {
  const started = performance.now();
  let lastReport = 0;
  const truth = await seedOrganisation({
    endpoint: values.endpoint ?? (moto as Moto).url,
    usersPerAccount,
    concurrency,
    outFile,
    onProgress: ({ done, total }) => {
      if (done === total || performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        console.log(`  ${done}/${total} users`);
      }
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Seeded ${truth.users.length} IAM users in ${truth.accounts.length} accounts in ${seconds} s.`);
  console.log(`Ground truth: ${outFile}\nHardware tokens: ${hardwareTokensFile(outFile)}`);
} finally {
  await moto?.stop();
}
