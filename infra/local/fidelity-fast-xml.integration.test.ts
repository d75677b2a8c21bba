import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defaultRepoRoot, venvBin } from './python';

/**
 * fidelity_fast_xml.py writes GetAccountAuthorizationDetails (Filter=[User]) and ListVirtualMFADevices directly, for
 * speed; `moto_fidelity.py --check-fast-xml` renders every page of a varied account with it and with moto's own
 * serializer and compares the responses (status, headers, body; the request id aside).
 */

type Summary = {
  population: { users: number; devices: number; assigned: number };
  pages: number;
  fastPages: number;
  users: number;
  devices: number;
  identicalBytes: number;
  differences: unknown[];
};

describe('the direct XML of the two big listings', () => {
  it('is byte for byte what moto’s serializer writes, on every page of a varied account', async () => {
    const { stdout } = await promisify(execFile)(
      venvBin(defaultRepoRoot, 'python'),
      [join(defaultRepoRoot, 'infra', 'local', 'moto_fidelity.py'), '--check-fast-xml'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const summary = JSON.parse(stdout) as Summary;
    expect(summary.differences).toEqual([]);
    expect(summary.pages).toBeGreaterThan(1);
    // Every page compared was written by the direct writer (not a fallback to moto's serializer).
    expect(summary.fastPages).toBe(summary.pages);
    expect(summary.identicalBytes).toBe(summary.pages);
    // Each GetAccountAuthorizationDetails walk (4 page sizes) saw every user; ListVirtualMFADevices walked all devices
    // twice (no status, Any), then Assigned and Unassigned, which together are all of them once more.
    expect(summary.population.users).toBeGreaterThan(1000);
    expect(summary.users).toBe(4 * summary.population.users);
    expect(summary.devices).toBe(3 * summary.population.devices);
  }, 120_000);
});
