import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readGroundTruth } from './ground-truth';
import { localStack } from './integration-support';

/** The demo's hardware-token file (hardware-tokens.json) says which tokens are spares a member may enroll. */
describe('hardware-tokens.json', () => {
  it('marks every token spare or assigned, as the seed left them: spares have no user and no seeded device', async () => {
    const { stack } = localStack();
    const tokens = JSON.parse(await readFile(stack.hardwareTokensFile, 'utf8')) as { serial: string; spare: boolean; userName?: string; secretBase32: string }[];
    const truth = await readGroundTruth(stack.groundTruthFile);
    const enrolled = new Set(truth.users.flatMap((u) => u.devices.filter((d) => d.type === 'hardware').map((d) => d.serial)));
    const spares = tokens.filter((t) => t.spare);
    expect(spares.length).toBeGreaterThan(0);
    expect(tokens.length).toBeGreaterThan(spares.length);
    for (const token of tokens) {
      expect(token.spare).toBe(!token.userName);
      expect(token.spare).toBe(!enrolled.has(token.serial));
      expect(Object.keys(token).at(-1)).toBe('secretBase32');
    }
  });
});
