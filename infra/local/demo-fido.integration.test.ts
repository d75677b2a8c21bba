import { GetMFADeviceCommand, ListMFADevicesCommand } from '@aws-sdk/client-iam';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDemoState, registerDemoFido, writeDemoState } from './demo-fido';
import { ACCOUNT, fidelityFixture } from './fidelity-fixture';

/** `npm run demo:fido`: against the local stack, for a user of a copy of the ground truth (the seeded users stay as seeded). */

const fx = fidelityFixture();
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'demo-fido-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function truthWith(userName: string): Promise<string> {
  const file = join(await tempDir(), 'ground-truth.json');
  const copy = { ...fx.truth, users: [...fx.truth.users, { ...fx.truth.users.find((u) => u.accountId === ACCOUNT)!, userName, devices: [] }] };
  await writeFile(file, JSON.stringify(copy));
  return file;
}

describe('npm run demo:fido', () => {
  it('registers a security key in the console for the user named, which IAM then lists (certified when asked)', async () => {
    const userName = await fx.newUser('demofido');
    const groundTruthFile = await truthWith(userName);
    const line = await registerDemoFido({ motoUrl: fx.stack.motoUrl, groundTruthFile }, { userName, name: 'DemoKey', certified: true });
    const serial = /: (arn:aws:iam::\d{12}:u2f\/user\/\S+)$/.exec(line)?.[1];
    expect(line).toMatch(new RegExp(`^Registered a certified security key for ${userName} in ${ACCOUNT}: `));
    const listed = await fx.portal.send(new ListMFADevicesCommand({ UserName: userName }));
    expect(listed.MFADevices?.map((d) => d.SerialNumber)).toEqual([serial]);
    const device = await fx.portal.send(new GetMFADeviceCommand({ UserName: userName, SerialNumber: serial }));
    expect(device.Certifications).toEqual({ FIDO: 'L1', 'FIPS-140-3': 'L2' });
  });

  it('refuses a user the demo organisation does not have, before calling AWS', async () => {
    await expect(registerDemoFido({ motoUrl: 'http://127.0.0.1:9', groundTruthFile: fx.stack.groundTruthFile }, { userName: 'nobody-here', name: 'k', certified: false })).rejects.toThrow(
      /no IAM user nobody-here in the demo organisation/,
    );
  });

  it('knows whether the demo is running: no state file, or the demo process gone, means start it first', async () => {
    const repoRoot = await tempDir();
    await expect(readDemoState(repoRoot)).resolves.toEqual({ error: expect.stringMatching(/^The demo is not running: start it with `npm run demo`/) });
    await mkdir(join(repoRoot, '.data'));
    const state = { motoUrl: fx.stack.motoUrl, portalUrl: 'http://127.0.0.1:3000', groundTruthFile: fx.stack.groundTruthFile, pid: process.pid };
    await writeDemoState(repoRoot, state);
    await expect(readDemoState(repoRoot)).resolves.toEqual(state);
    await writeDemoState(repoRoot, { ...state, pid: 2 ** 22 + 1 });
    await expect(readDemoState(repoRoot)).resolves.toEqual({ error: expect.stringMatching(/^The demo is not running/) });
  });
});
