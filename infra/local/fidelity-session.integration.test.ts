import { ResyncMFADeviceCommand } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { roleArn } from '@/lib/iam-identifiers';
import { assumeRole, stsClient } from './aws-clients';
import { ACCOUNT, earlyInStep, fidelityFixture } from './fidelity-fixture';
import { failure } from './integration-support';
import { consecutiveCodes, totpCode } from './totp';

/** ResyncMFADevice and GetSessionToken with MFA (moto_fidelity.py): offsets, replays, foreign serials, sessions. */

const fx = fidelityFixture();
const { viaProxy, portalKey } = fx;
const { newUser, newUserWithKey, newVirtualDevice, enable } = fx;

describe('ResyncMFADevice and GetSessionToken', () => {
  it('resyncs a drifted device; GetSessionToken then checks codes at the new offset, refuses replays, wrong codes and foreign serials', async () => {
    await earlyInStep();
    const { userName, sts } = await newUserWithKey('drift');
    const { serial, secret } = await newVirtualDevice('drift');
    await enable(userName, serial, consecutiveCodes(secret));

    // No MFA: needs no IAM permission (this user has none), as in AWS.
    expect((await sts.send(new GetSessionTokenCommand({}))).Credentials?.AccessKeyId).toBeTruthy();

    // The device's clock runs 6 steps (3 minutes) fast.
    const DRIFT = 6;
    expect(await failure(fx.portal.send(new ResyncMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1: '111111', AuthenticationCode2: '222222' })))).toMatchObject({
      name: 'InvalidAuthenticationCodeException',
      status: 403,
    });
    await fx.portal.send(new ResyncMFADeviceCommand({ UserName: userName, SerialNumber: serial, ...consecutiveCodes(secret, Date.now(), DRIFT) }));

    const code = totpCode(secret, Date.now(), DRIFT);
    const out = await sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code }));
    expect(out.Credentials?.SessionToken).toBeTruthy();

    const denied = { name: 'AccessDenied', status: 403 };
    expect(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code })))).toMatchObject({
      ...denied,
      message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
    });
    const wrong = totpCode(secret, Date.now(), DRIFT + 1) === '000000' ? '000001' : '000000';
    expect(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: wrong })))).toMatchObject(denied);
    // The code of the moment, without the drift, is now out of the device's window.
    expect(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: totpCode(secret) })))).toMatchObject(denied);
    // The next code of the drifted device still works.
    await sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: totpCode(secret, Date.now(), DRIFT + 1) }));

    const other = await newUser('drift-other');
    const foreign = await newVirtualDevice('drift-other');
    await enable(other, foreign.serial, consecutiveCodes(foreign.secret));
    expect(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: foreign.serial, TokenCode: totpCode(foreign.secret) })))).toMatchObject({
      ...denied,
      message: 'MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.',
    });
    expect(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: serial })))).toMatchObject(denied);
    expect(await failure(sts.send(new GetSessionTokenCommand({ TokenCode: totpCode(secret, Date.now(), DRIFT) })))).toMatchObject(denied);
  });

  it('refuses ResyncMFADevice for a device the user does not have with NoSuchEntity, and codes outside ±10 minutes', async () => {
    await earlyInStep();
    const user = await newUser('resync');
    const { serial, secret } = await newVirtualDevice('resync');
    expect(await failure(fx.portal.send(new ResyncMFADeviceCommand({ UserName: user, SerialNumber: serial, ...consecutiveCodes(secret) })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
    expect(await failure(fx.portal.send(new ResyncMFADeviceCommand({ UserName: 'no-such-user-fidelity', SerialNumber: serial, ...consecutiveCodes(secret) })))).toMatchObject({
      name: 'NoSuchEntityException',
    });
    await enable(user, serial, consecutiveCodes(secret));
    expect(await failure(fx.portal.send(new ResyncMFADeviceCommand({ UserName: user, SerialNumber: serial, ...consecutiveCodes(secret, Date.now(), 25) })))).toMatchObject({
      name: 'InvalidAuthenticationCodeException',
    });
    await fx.portal.send(new ResyncMFADeviceCommand({ UserName: user, SerialNumber: serial, ...consecutiveCodes(secret, Date.now(), -15) }));
  });

  it('refuses GetSessionToken with session credentials', async () => {
    const sts = stsClient(viaProxy, await assumeRole(viaProxy, portalKey, roleArn(ACCOUNT, fx.truth.memberRole.name), { sessionName: 'gst', externalId: fx.truth.memberRole.externalId }));
    fx.clients.push(sts);
    expect(await failure(sts.send(new GetSessionTokenCommand({})))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
      message: 'Cannot call GetSessionToken with session credentials',
    });
  });
});
