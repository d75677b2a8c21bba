import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFolder } from '../scripts/standalone.mjs';
import { expect, iamUsersOf, test } from './fixtures';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the global setup did not run.`);
  return value;
}

// The global setup starts the portal that every spec uses from the folder scripts/standalone.mjs prepared from the
// Dockerfile (`--skip-build`, after npm test's `next build`): these check that this is so, and what the folder holds.
test.describe('the portal runs as the container would, from the standalone folder', () => {
  test('the server under test was started from the prepared folder with its server.js', () => {
    const dir = env('E2E_STANDALONE_DIR');
    expect(existsSync(path.join(dir, 'server.js'))).toBe(true);
    // server.js changes to its own folder, and the process takes the name "next-server", so the folder is what tells.
    expect(readlinkSync(`/proc/${env('E2E_PORTAL_PID')}/cwd`)).toBe(dir);
  });

  test('the folder holds what the server needs at run time and no devDependency', () => {
    const dir = env('E2E_STANDALONE_DIR');
    const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8'));
    expect(checkFolder(dir, lock)).toEqual([]);
    for (const devOnly of ['vitest', '@playwright/test', 'aws-cdk-lib', 'oidc-provider', 'typescript', 'tsx', 'eslint']) {
      expect(existsSync(path.join(dir, 'node_modules', devOnly)), devOnly).toBe(false);
    }
    // moto and the other local-stack tools live outside node_modules; none of the checkout beyond the build is here.
    for (const absent of ['.venv', 'infra', 'e2e', 'app', 'test-support', '.env']) expect(existsSync(path.join(dir, absent)), absent).toBe(false);
  });

  test('a member signs in through the company IdP and sees their IAM users', async ({ page, signInAs }) => {
    const email = 'alice@example.com';
    await signInAs(email);
    await expect(page.getByTestId('iam-user')).toHaveCount(iamUsersOf(email).length);
    await page.goto('/devices');
    await expect(page.getByRole('heading', { name: 'My devices', level: 1 })).toBeVisible();
  });
});
