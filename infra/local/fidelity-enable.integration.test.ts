import {
  DeactivateMFADeviceCommand,
  EnableMFADeviceCommand,
  ListMFADevicesCommand,
  ResyncMFADeviceCommand,
  paginateListVirtualMFADevices,
} from '@aws-sdk/client-iam';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { roleArn } from '@/lib/iam-identifiers';
import { assumeRole, iamClient } from './aws-clients';
import { newFidoSerial, registerFidoKey, withConsoleHeader } from './console';
import { ACCOUNT, earlyInStep, fidelityFixture, uniqueName } from './fidelity-fixture';
import { collect, failure } from './integration-support';
import { defaultRepoRoot, venvBin } from './python';
import { consecutiveCodes, toBase32, totpAtStep, totpCode, totpStep } from './totp';

/** EnableMFADevice as moto_fidelity.py makes it (codes, holders, quota, FIDO), and its TOTP against ours. */

const fx = fidelityFixture();
const { stack, region, viaProxy, portalKey } = fx;
const { newUser, newVirtualDevice, serialsOf, enable, spareHardwareTokens } = fx;

describe('TOTP', () => {
  it('computes the same codes in TypeScript and in moto_fidelity.py', async () => {
    const secret = toBase32(randomBytes(20));
    const now = totpStep();
    const steps = [0, 1, now - 20, now - 1, now, now + 1, now + 20, 2 ** 32 + 7];
    const run = promisify(execFile);
    const { stdout } = await run(venvBin(defaultRepoRoot, 'python'), [
      join(defaultRepoRoot, 'infra', 'local', 'moto_fidelity.py'),
      '--totp',
      secret,
      ...steps.map(String),
    ]);
    expect(JSON.parse(stdout)).toEqual(steps.map((step) => totpAtStep(secret, step)));
  });
});

describe('EnableMFADevice', () => {
  it('refuses wrong codes with InvalidAuthenticationCode (403), and the device stays unassigned', async () => {
    const user = await newUser('wrong');
    const { serial, secret } = await newVirtualDevice('wrong');
    const valid = consecutiveCodes(secret);
    const wrong = valid.AuthenticationCode2 === '123456' ? '654321' : '123456';
    expect(await failure(enable(user, serial, { AuthenticationCode1: wrong, AuthenticationCode2: wrong }))).toMatchObject({
      name: 'InvalidAuthenticationCodeException',
      status: 403,
      message: 'Authentication code for device is not valid.',
    });
    expect(await failure(enable(user, serial, { ...valid, AuthenticationCode2: wrong }))).toMatchObject({ name: 'InvalidAuthenticationCodeException' });
    expect(await serialsOf(user)).toEqual([]);
  });

  it('refuses codes that are not consecutive, or in the wrong order', async () => {
    await earlyInStep();
    const user = await newUser('gap');
    const { serial, secret } = await newVirtualDevice('gap');
    const gap = { AuthenticationCode1: totpCode(secret, Date.now(), -2), AuthenticationCode2: totpCode(secret) };
    expect(await failure(enable(user, serial, gap))).toMatchObject({ name: 'InvalidAuthenticationCodeException' });
    const valid = consecutiveCodes(secret);
    const reversed = { AuthenticationCode1: valid.AuthenticationCode2, AuthenticationCode2: valid.AuthenticationCode1 };
    expect(await failure(enable(user, serial, reversed))).toMatchObject({ name: 'InvalidAuthenticationCodeException' });
    const same = { AuthenticationCode1: valid.AuthenticationCode2, AuthenticationCode2: valid.AuthenticationCode2 };
    expect(await failure(enable(user, serial, same))).toMatchObject({ name: 'InvalidAuthenticationCodeException' });
  });

  it('refuses codes that are not six digits with ValidationError', async () => {
    const user = await newUser('format');
    const { serial } = await newVirtualDevice('format');
    expect(await failure(enable(user, serial, { AuthenticationCode1: '12345', AuthenticationCode2: 'abcdef' }))).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
  });

  it('enables a virtual device with two consecutive valid codes; it is listed, assigned, and its seed is not', async () => {
    const user = await newUser('ok');
    const { serial, secret } = await newVirtualDevice('ok');
    await enable(user, serial, consecutiveCodes(secret));
    const listed = (await fx.portal.send(new ListMFADevicesCommand({ UserName: user }))).MFADevices ?? [];
    expect(listed).toEqual([expect.objectContaining({ UserName: user, SerialNumber: serial, EnableDate: expect.any(Date) })]);
    const assigned = (await collect(paginateListVirtualMFADevices({ client: fx.portal }, { AssignmentStatus: 'Assigned' }))).flatMap((p) => p.VirtualMFADevices ?? []);
    const mine = assigned.find((d) => d.SerialNumber === serial);
    expect(mine?.User?.UserName).toBe(user);
    expect(mine?.Base32StringSeed).toBeUndefined();
    expect(mine?.QRCodePNG).toBeUndefined();
  });

  it('accepts codes two steps old, refuses codes ten steps old', async () => {
    await earlyInStep();
    const late = await newUser('late');
    const device = await newVirtualDevice('late');
    // Code 2 from two steps ago, code 1 from the step before: the oldest pair AWS-like checking accepts.
    await enable(late, device.serial, consecutiveCodes(device.secret, Date.now(), -2));
    expect(await serialsOf(late)).toEqual([device.serial]);

    const stale = await newUser('stale');
    const old = await newVirtualDevice('stale');
    expect(await failure(enable(stale, old.serial, consecutiveCodes(old.secret, Date.now(), -10)))).toMatchObject({
      name: 'InvalidAuthenticationCodeException',
    });
    expect(await serialsOf(stale)).toEqual([]);
  });

  it('enables a hardware token from the local inventory, refuses it for a second user and an unknown serial', async () => {
    const [token] = await spareHardwareTokens();
    if (!token) throw new Error('the inventory has no spare hardware token');
    const user = await newUser('hw');
    expect(await failure(enable(user, token.serial, { AuthenticationCode1: '000000', AuthenticationCode2: '000000' }))).toMatchObject({
      name: 'InvalidAuthenticationCodeException',
    });
    await enable(user, token.serial, consecutiveCodes(token.secretBase32));
    expect(await serialsOf(user)).toEqual([token.serial]);

    const other = await newUser('hw-other');
    expect(await failure(enable(other, token.serial, consecutiveCodes(token.secretBase32)))).toMatchObject({
      name: 'EntityAlreadyExistsException',
      status: 409,
    });
    expect(await failure(enable(other, 'GAHT99999999X', consecutiveCodes(token.secretBase32)))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
    // Given back to the stock, the token can serve someone else.
    await fx.portal.send(new DeactivateMFADeviceCommand({ UserName: user, SerialNumber: token.serial }));
    await enable(other, token.serial, consecutiveCodes(token.secretBase32));
    expect(await serialsOf(other)).toEqual([token.serial]);
  });

  it('refuses a virtual serial that does not exist with NoSuchEntity', async () => {
    const user = await newUser('ghost');
    expect(await failure(enable(user, `arn:aws:iam::${ACCOUNT}:mfa/${uniqueName('ghost')}`, { AuthenticationCode1: '123456', AuthenticationCode2: '234567' }))).toMatchObject({
      name: 'NoSuchEntityException',
    });
  });

  it('refuses a virtual device already assigned to another user with EntityAlreadyExists', async () => {
    const first = await newUser('owner');
    const second = await newUser('thief');
    const { serial, secret } = await newVirtualDevice('shared');
    await enable(first, serial, consecutiveCodes(secret));
    expect(await failure(enable(second, serial, consecutiveCodes(secret)))).toMatchObject({
      name: 'EntityAlreadyExistsException',
      status: 409,
    });
    expect(await failure(enable(first, serial, consecutiveCodes(secret)))).toMatchObject({ name: 'EntityAlreadyExistsException' });
    expect(await serialsOf(second)).toEqual([]);
  });

  it('allows 8 devices per user and refuses the 9th with LimitExceeded', async () => {
    const user = await newUser('many');
    for (let i = 0; i < 8; i++) {
      const { serial, secret } = await newVirtualDevice(`many${i}`);
      await enable(user, serial, consecutiveCodes(secret));
    }
    const ninth = await newVirtualDevice('many8');
    const result = await failure(enable(user, ninth.serial, consecutiveCodes(ninth.secret)));
    // The SDK treats LimitExceededException as throttling and retries it before giving up, as against AWS.
    expect(result).toMatchObject({ name: 'LimitExceededException', status: 409, message: 'Cannot exceed quota for MfaDevicesPerUser: 8' });
    expect(await serialsOf(user)).toHaveLength(8);
  });

  it('refuses FIDO keys through the API (InvalidInput), the proxy refuses the console header, the console registers them', async () => {
    const user = await newUser('fido');
    const serial = newFidoSerial(ACCOUNT, user, 'YubiKey');
    expect(await failure(enable(user, serial, { AuthenticationCode1: '000000', AuthenticationCode2: '000000' }))).toMatchObject({
      name: 'InvalidInputException',
      status: 400,
      message: 'FIDO security keys can only be registered in the AWS console',
    });
    const sneaky = withConsoleHeader(iamClient(viaProxy, await assumeRole(viaProxy, portalKey, roleArn(ACCOUNT, fx.truth.memberRole.name), { sessionName: 's', externalId: fx.truth.memberRole.externalId })));
    fx.clients.push(sneaky);
    expect(await failure(sneaky.send(new EnableMFADeviceCommand({ UserName: user, SerialNumber: serial, AuthenticationCode1: '000000', AuthenticationCode2: '000000' })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect(await serialsOf(user)).toEqual([]);

    const registered = await registerFidoKey({ motoUrl: stack.motoUrl, region, accountId: ACCOUNT, userName: user, name: 'YubiKey', groundTruth: fx.truth });
    expect(registered).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:u2f/user/${user}/YubiKey-[A-Z2-7]{26}$`));
    expect(await serialsOf(user)).toEqual([registered]);
    expect(await failure(fx.portal.send(new ResyncMFADeviceCommand({ UserName: user, SerialNumber: registered, AuthenticationCode1: '000000', AuthenticationCode2: '000000' })))).toMatchObject({
      name: 'InvalidInputException',
    });
  });
});
