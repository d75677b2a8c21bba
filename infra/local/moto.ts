import { join } from 'node:path';
import { spawnManaged, waitUntilReady } from './child';
import { freePort } from './ports';
import { defaultRepoRoot, venvBin } from './python';

export type Moto = {
  url: string;
  stop(): Promise<void>;
  /** Settles only if moto exits without stop(): a description for the user. */
  unexpectedExit: Promise<string>;
};

export type StartMotoOptions = {
  port?: number;
  repoRoot?: string;
  readyTimeoutMs?: number;
  /**
   * The hardware token inventory (hardware-tokens.json) whose secrets EnableMFADevice checks hardware codes
   * against. It may be written later: moto re-reads it whenever it changes. Without it no hardware serial exists.
   */
  hardwareTokensFile?: string;
};

/** The environment variable that tells moto_fidelity.py where the hardware token inventory is. */
export const HARDWARE_TOKENS_ENV = 'MFA_LOCAL_HARDWARE_TOKENS';

/**
 * Starts moto on 127.0.0.1 through infra/local/moto_fidelity.py, which patches in the IAM/STS behaviours of AWS
 * that moto lacks (code checks, ResyncMFADevice, device limits, paging; see infra/local/README.md).
 * MOTO_ACCOUNT_ID is removed from its environment: with it set, moto pins every request to one account and
 * AssumeRole can no longer reach the others.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<Moto> {
  const repoRoot = options.repoRoot ?? defaultRepoRoot;
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const env = { ...process.env };
  delete env.MOTO_ACCOUNT_ID;
  if (options.hardwareTokensFile) env[HARDWARE_TOKENS_ENV] = options.hardwareTokensFile;
  else delete env[HARDWARE_TOKENS_ENV];
  const launcher = join(repoRoot, 'infra', 'local', 'moto_fidelity.py');
  const child = spawnManaged(venvBin(repoRoot, 'python'), [launcher, '-H', '127.0.0.1', '-p', String(port)], {
    name: 'moto',
    env,
    output: 'capture',
  });
  const stop = async () => {
    await child.stop();
  };

  try {
    await waitUntilReady(child, async () => (await fetch(`${url}/moto-api/data.json`)).ok, `moto on ${url}`, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop, unexpectedExit: child.unexpectedExit };
}

/**
 * Turns moto's authentication and IAM policy authorization on or off for every later request.
 * Off while seeding (any key works); on for the portal and tests, so bad keys and missing permissions fail.
 */
export async function setMotoAuth(url: string, on: boolean): Promise<void> {
  // moto counts requests before enforcing: 0 means "from the next request", inf means never.
  const res = await fetch(`${url}/moto-api/reset-auth`, { method: 'POST', body: on ? '0' : 'inf' });
  if (!res.ok) throw new Error(`moto refused to turn auth ${on ? 'on' : 'off'}: HTTP ${res.status} ${await res.text()}`);
}
