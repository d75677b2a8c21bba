import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../infra/local/ports';
import { expect, test } from './fixtures';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

async function startPortal(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NEXT_TELEMETRY_DISABLED: '1' };
  const child = spawn(`${repoRoot}node_modules/.bin/next`, ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: repoRoot,
    env: { ...base, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, 30_000);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, output: readable(output) };
}

/** The server's lines are JSON (lib/log): their messages and listed problems, one per line. */
const readable = (output: string) =>
  output
    .split('\n')
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; problems?: string[] };
        return [entry.msg ?? '', ...(entry.problems ?? [])].join('\n');
      } catch {
        return line;
      }
    })
    .join('\n');

test.describe('start-up configuration check', () => {
  test('a missing setting stops the server with a message naming it', async () => {
    const { code, output } = await startPortal({ NEXTAUTH_URL: 'http://127.0.0.1:1', NEXTAUTH_SECRET: 'x'.repeat(40), MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext' });
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration');
    expect(output).toMatch(/MFA_ACCOUNTS is required: a comma-separated list of 12-digit AWS account ids/);
  });

  test('a malformed setting stops the server with what is expected', async () => {
    const { code, output } = await startPortal({
      NEXTAUTH_URL: 'http://127.0.0.1:1',
      NEXTAUTH_SECRET: 'short',
      MFA_ACCOUNTS: '1234',
      MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/NEXTAUTH_SECRET must be at least 32 characters/);
    expect(output).toMatch(/MFA_ACCOUNTS "1234" is not a 12-digit account id/);
  });
});
