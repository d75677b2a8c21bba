/**
 * `npm run report`: the inventory and the validation report, headless, for CI pipelines. The same settings (lib/env)
 * and database as the portal; the same domain functions as the admin pages. See USAGE in lib/inventory/pipeline.ts.
 * Runs under `tsx --conditions=react-server` because lib modules import 'server-only'.
 */
import nextEnv from '@next/env';
import { ConfigError, getEnv } from '@/lib/env';
import type { Actor } from '@/lib/auth/types';
import { getDatabase } from '@/lib/db/client';
import { getRun, startRefresh, waitForRun, type RunDetail } from '@/lib/inventory/refresh';
import { generateValidationReport } from '@/lib/inventory/report';
import { USAGE, countStatuses, exitCodeFor, formatSummary, parseReportArgs, toPipelineJson, type RunOutcome } from '@/lib/inventory/pipeline';

const ACTOR_ID = 'report-cli';
/** How often to look at a collection another process (the portal) is running, before reporting on its result. */
const POLL_MS = 2_000;

const write = (stream: NodeJS.WriteStream, text: string) => new Promise<void>((resolve) => stream.write(text, () => resolve()));
const fail = async (code: 2 | 3, message: string): Promise<never> => {
  await write(process.stderr, `npm run report: ${message}\n`);
  return finish(code);
};

let opened = false;
async function finish(code: number): Promise<never> {
  // PGlite holds its directory until closed; the portal cannot open it while this process does.
  if (opened)
    await getDatabase()
      .then((d) => d.close())
      .catch(() => undefined);
  process.exit(code);
}

const parsed = parseReportArgs(process.argv.slice(2));
if ('error' in parsed) await fail(2, `${parsed.error}\n\n${USAGE}`);
const { args } = parsed as Exclude<typeof parsed, { error: string }>;
if (args.help) {
  await write(process.stdout, `${USAGE}\n`);
  process.exit(0);
}

// The files `next start` reads (.env.production.local, .env.local, .env.production, .env); the shell's values win.
nextEnv.loadEnvConfig(process.cwd(), false, { info: () => undefined, error: (...m: unknown[]) => console.error(...m) });
try {
  getEnv();
} catch (error) {
  if (error instanceof ConfigError) await fail(2, error.message);
  throw error;
}

const actor: Actor = { id: ACTOR_ID, email: null, name: 'npm run report', method: 'aws-keys', roles: ['member', 'admin'], principals: [], authTime: Math.floor(Date.now() / 1000) };

let run: RunDetail | null;
try {
  opened = true;
  const started = await startRefresh({ actor: ACTOR_ID, trigger: 'manual' });
  if (started.started) {
    run = await waitForRun(started.runId);
  } else {
    // The portal is collecting already: its result is as fresh as ours would be.
    await write(process.stderr, `An inventory is already running (run #${started.runningRunId}); waiting for it.\n`);
    do {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      run = await getRun(started.runningRunId);
    } while (run?.status === 'running');
  }
} catch (error) {
  await fail(3, `the inventory could not run: ${(error as Error).message}`);
}
if (!run! || run.status === 'running') await fail(3, 'the inventory run disappeared before it finished');
const outcome: RunOutcome = {
  runId: run!.id,
  status: run!.status as RunOutcome['status'],
  error: run!.error,
  accountErrors: run!.accounts.filter((a) => a.error).map((a) => ({ accountId: a.accountId, error: a.error! })),
};
if (outcome.status === 'failed') {
  const detail = outcome.accountErrors.map((a) => `\n  ${a.accountId}: ${a.error}`).join('');
  await fail(3, `the inventory failed (run #${outcome.runId}): ${outcome.error ?? 'no account could be read'}${detail}`);
}

const { id, report, users } = await generateValidationReport(actor);

const json = toPipelineJson(report, users);
if (args.format === 'json') await write(process.stdout, `${JSON.stringify(json, null, 2)}\n`);
else await write(process.stdout, formatSummary(id, report, outcome, countStatuses(json.users)));

const code = exitCodeFor(report.totals.gaps, args.failOnGaps, outcome.status);
if (code === 1) await write(process.stderr, `${report.totals.gaps} gaps, more than the ${args.failOnGaps} allowed (--fail-on-gaps).\n`);
if (code === 3) await write(process.stderr, `The inventory was incomplete (run #${outcome.runId}: ${outcome.error ?? outcome.status}); the report uses the previous rows of the accounts it could not read.\n`);
await finish(code);
