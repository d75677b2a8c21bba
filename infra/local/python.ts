import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for tools started from anywhere. */
export const defaultRepoRoot = fileURLToPath(new URL('../..', import.meta.url));

const requirementsPath = (repoRoot: string) => join(repoRoot, 'infra', 'local', 'requirements.txt');
const stampPath = (repoRoot: string) => join(repoRoot, '.venv', '.requirements.sha256');

export const venvBin = (repoRoot: string, name: string) => join(repoRoot, '.venv', 'bin', name);

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/**
 * Makes `.venv` match infra/local/requirements.txt. The stamp holds the hash of the requirements the venv
 * was last installed from, so an unchanged venv costs one file read. The file pins moto's whole dependency
 * closure with hashes (compiled from requirements.in), and pip refuses any download that does not match them.
 */
export async function ensureVenv(repoRoot: string = defaultRepoRoot, log: (line: string) => void = console.log): Promise<void> {
  const hash = createHash('sha256').update(await readFile(requirementsPath(repoRoot))).digest('hex');
  const stamp = existsSync(stampPath(repoRoot)) ? (await readFile(stampPath(repoRoot), 'utf8')).trim() : '';
  if (stamp === hash && existsSync(venvBin(repoRoot, 'moto_server'))) return;

  log('Setting up the Python venv for moto (.venv, from infra/local/requirements.txt)…');
  if (!existsSync(venvBin(repoRoot, 'pip'))) await run('python3', ['-m', 'venv', '.venv'], repoRoot);
  await run(
    venvBin(repoRoot, 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', '--require-hashes', '-r', requirementsPath(repoRoot)],
    repoRoot,
  );
  await writeFile(stampPath(repoRoot), `${hash}\n`);
}
