import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { registerFidoKey } from './console';
import { readGroundTruth, type GroundTruth, type GroundTruthUser } from './ground-truth';

/**
 * `npm run demo:fido -- USER [--account ACCOUNT] [--name NAME] [--certified]`: registers a demo security key for an
 * IAM user "in the AWS console" of the running demo, as a person would with a real key (the API refuses FIDO keys).
 * The running demo leaves where its moto is in .data/demo-stack.json (written at start, removed at Ctrl-C).
 */

const stateSchema = z.object({ motoUrl: z.string(), portalUrl: z.string(), groundTruthFile: z.string(), pid: z.number() });
export type DemoStackState = z.infer<typeof stateSchema>;

export const demoStateFile = (repoRoot: string) => join(repoRoot, '.data', 'demo-stack.json');

export async function writeDemoState(repoRoot: string, state: DemoStackState): Promise<void> {
  await writeFile(demoStateFile(repoRoot), `${JSON.stringify(state, null, 2)}\n`);
}

export const removeDemoState = (repoRoot: string) => rm(demoStateFile(repoRoot), { force: true });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const NOT_RUNNING = 'The demo is not running: start it with `npm run demo` in another terminal, then run this again.';

/** The running demo's state, or why there is none. */
export async function readDemoState(repoRoot: string): Promise<DemoStackState | { error: string }> {
  const file = demoStateFile(repoRoot);
  if (!existsSync(file)) return { error: NOT_RUNNING };
  const parsed = stateSchema.safeParse(JSON.parse(await readFile(file, 'utf8').catch(() => '{}')));
  if (!parsed.success || !alive(parsed.data.pid)) return { error: NOT_RUNNING };
  return parsed.data;
}

export type FidoArgs = { userName: string; account?: string; name: string; certified: boolean };

export const FIDO_USAGE = 'usage: npm run demo:fido -- USER [--account ACCOUNT] [--name NAME] [--certified]';

/** The command line, or a message saying what is wrong with it. */
export function parseFidoArgs(argv: readonly string[]): FidoArgs | { error: string } {
  const args: Partial<FidoArgs> & { certified: boolean } = { certified: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--certified') args.certified = true;
    else if (arg === '--account' || arg === '--name') {
      const value = argv[++i];
      if (!value || value.startsWith('--')) return { error: `${arg} needs a value. ${FIDO_USAGE}` };
      if (arg === '--account') args.account = value;
      else args.name = value;
    } else if (arg.startsWith('--')) return { error: `unknown option ${arg}. ${FIDO_USAGE}` };
    else if (args.userName) return { error: `one user at a time (got ${args.userName} and ${arg}). ${FIDO_USAGE}` };
    else args.userName = arg;
  }
  if (!args.userName) return { error: FIDO_USAGE };
  if (args.name && !/^[\w+=,.@-]{1,64}$/.test(args.name)) return { error: `--name: letters, digits and +=,.@_- only, at most 64 characters` };
  return { userName: args.userName, account: args.account, name: args.name ?? 'DemoSecurityKey', certified: args.certified };
}

/** The one demo user meant: by name, narrowed by account id, name or alias when the name is in several accounts. */
export function pickDemoUser(truth: GroundTruth, userName: string, account?: string): GroundTruthUser | { error: string } {
  const accountIds = account
    ? truth.accounts.filter((a) => [a.id, a.name.toLowerCase(), a.alias.toLowerCase()].includes(account.toLowerCase())).map((a) => a.id)
    : truth.accounts.map((a) => a.id);
  if (account && accountIds.length === 0) return { error: `no demo account ${account}; the accounts are ${truth.accounts.map((a) => `${a.name} (${a.id})`).join(', ')}` };
  const matches = truth.users.filter((u) => u.userName === userName && accountIds.includes(u.accountId));
  const accountName = (id: string) => truth.accounts.find((a) => a.id === id)?.name ?? id;
  if (matches.length === 0) return { error: `no IAM user ${userName}${account ? ` in ${account}` : ''} in the demo organisation (.data/ground-truth.json lists them)` };
  if (matches.length > 1) return { error: `${userName} is in ${matches.map((u) => accountName(u.accountId)).join(' and ')}: add --account NAME` };
  const [user] = matches;
  return user!;
}

/** What a FIDO-certified key reports (a YubiKey 5 FIPS, say); none for a synced passkey. */
const CERTIFIED = { FIDO: 'L1', 'FIPS-140-3': 'L2' };

/** Registers the key and returns the line to print, or throws with the reason. */
export async function registerDemoFido(state: Pick<DemoStackState, 'motoUrl' | 'groundTruthFile'>, args: FidoArgs): Promise<string> {
  const truth = await readGroundTruth(state.groundTruthFile);
  const user = pickDemoUser(truth, args.userName, args.account);
  if ('error' in user) throw new Error(user.error);
  const serial = await registerFidoKey({
    motoUrl: state.motoUrl,
    accountId: user.accountId,
    userName: user.userName,
    name: args.name,
    groundTruth: truth,
    certifications: args.certified ? CERTIFIED : undefined,
  });
  return `Registered a ${args.certified ? 'certified ' : ''}security key for ${user.userName} in ${user.accountId}: ${serial}`;
}
