import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Tests run on Node >= 22, so these check the "already supported" path: the running node is kept, never replaced
// by .tools/ (the Node 20 path, which installs Node 24 from the registry, is exercised by .ci/run).
const nodeDir = path.dirname(process.execPath);
const run = (args: string[], PATH = '/usr/bin:/bin') => spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, PATH } });

describe('scripts/node-runtime.mjs and scripts/run.mjs', () => {
  it('prints the running node’s folder when it is 22 or newer', () => {
    const result = run(['scripts/node-runtime.mjs']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(nodeDir);
    expect(result.stderr).toBe('');
  });

  it('runs the command with that folder first on PATH, once', () => {
    const result = run(['scripts/run.mjs', 'sh', '-c', 'echo "$PATH"; node --version'], `/usr/bin:${nodeDir}:/bin`);
    expect(result.status).toBe(0);
    const [pathLine, version] = result.stdout.trim().split('\n');
    expect(pathLine).toBe(`${nodeDir}:/usr/bin:/bin`);
    expect(version).toBe(process.version);
  });

  it('exits with the command’s exit code, and 127 when there is no such command', () => {
    expect(run(['scripts/run.mjs', 'sh', '-c', 'exit 3']).status).toBe(3);
    const missing = run(['scripts/run.mjs', 'no-such-command-mfa-portal']);
    expect(missing.status).toBe(127);
    expect(missing.stderr).toContain('no-such-command-mfa-portal');
  });
});
