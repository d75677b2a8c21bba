import {
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  GetMFADeviceCommand,
  ListMFADevicesCommand,
  PutUserPolicyCommand,
  paginateListVirtualMFADevices,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { iamClient } from './aws-clients';
import { registerFidoKey } from './console';
import { ACCOUNT, fidelityFixture } from './fidelity-fixture';
import { collect, failure } from './integration-support';
import { consecutiveCodes } from './totp';

/** GetMFADevice, the DeleteConflicts, and the calling user as the default UserName (moto_fidelity.py). */

const fx = fidelityFixture();
const { stack, region, viaProxy } = fx;
const { newUser, newUserWithKey, newVirtualDevice, serialsOf, enable } = fx;

describe('GetMFADevice', () => {
  it('reports the certifications the console registered for a FIDO key, {} for none, and accepts only FIDO serials', async () => {
    const user = await newUser('getmfa');
    const certified = await registerFidoKey({ motoUrl: stack.motoUrl, region, accountId: ACCOUNT, userName: user, name: 'YubiKey', groundTruth: fx.truth, certifications: { FIDO: 'L2', 'FIPS-140-3': 'L2' } });
    const passkey = await registerFidoKey({ motoUrl: stack.motoUrl, region, accountId: ACCOUNT, userName: user, name: 'Passkey', groundTruth: fx.truth });
    const got = await fx.portal.send(new GetMFADeviceCommand({ UserName: user, SerialNumber: certified }));
    expect(got).toMatchObject({ UserName: user, SerialNumber: certified, Certifications: { FIDO: 'L2', 'FIPS-140-3': 'L2' } });
    expect(got.EnableDate).toBeInstanceOf(Date);
    expect((await fx.portal.send(new GetMFADeviceCommand({ UserName: user, SerialNumber: passkey }))).Certifications ?? {}).toEqual({});

    const { serial } = await newVirtualDevice('getmfa');
    expect(await failure(fx.portal.send(new GetMFADeviceCommand({ UserName: user, SerialNumber: serial })))).toMatchObject({ name: 'InvalidInputException', status: 400 });
    const other = await newUser('getmfa-other');
    expect(await failure(fx.portal.send(new GetMFADeviceCommand({ UserName: other, SerialNumber: certified })))).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
  });

  it('the seed registered the demo FIDO keys with the certifications the ground truth names', async () => {
    const seeded = fx.truth.users.filter((u) => u.accountId === ACCOUNT).flatMap((u) => u.devices.filter((d) => d.type === 'fido').map((d) => ({ u, d })));
    expect(seeded.length).toBeGreaterThan(0);
    expect(seeded.some(({ d }) => Object.keys(d.certifications ?? {}).length === 0)).toBe(true);
    expect(seeded.some(({ d }) => Object.keys(d.certifications ?? {}).length > 0)).toBe(true);
    for (const { u, d } of seeded) {
      const got = await fx.portal.send(new GetMFADeviceCommand({ UserName: u.userName, SerialNumber: d.serial }));
      expect(got.Certifications ?? {}).toEqual(d.certifications ?? {});
    }
  });
});

describe('DeleteVirtualMFADevice', () => {
  it('refuses an assigned device with DeleteConflict and keeps it; after deactivation it deletes cleanly', async () => {
    const user = await newUser('del');
    const { serial, secret } = await newVirtualDevice('del');
    await enable(user, serial, consecutiveCodes(secret));
    expect(await failure(fx.portal.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })))).toMatchObject({
      name: 'DeleteConflictException',
      status: 409,
    });
    expect(await serialsOf(user)).toEqual([serial]);
    const any = async () =>
      (await collect(paginateListVirtualMFADevices({ client: fx.portal }, { AssignmentStatus: 'Any' }))).flatMap((p) => p.VirtualMFADevices ?? []);
    expect((await any()).find((d) => d.SerialNumber === serial)?.User?.UserName).toBe(user);

    await fx.portal.send(new DeactivateMFADeviceCommand({ UserName: user, SerialNumber: serial }));
    await fx.portal.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
    expect(await serialsOf(user)).toEqual([]);
    expect((await any()).some((d) => d.SerialNumber === serial)).toBe(false);
    // The name is free again.
    const again = await fx.portal.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: serial.slice(serial.lastIndexOf('/') + 1) }));
    expect(again.VirtualMFADevice?.SerialNumber).toBe(serial);
  });
});

describe('ListMFADevices and DeactivateMFADevice without UserName', () => {
  it('fall back to the calling IAM user, and want a user name from role sessions', async () => {
    const { userName, key } = await newUserWithKey('self');
    const self = iamClient(viaProxy, key);
    fx.clients.push(self);
    // The user may list and deactivate its own devices (moto evaluates no conditions: a plain allow).
    await fx.admin.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: 'self',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:ListMFADevices', 'iam:DeactivateMFADevice'], Resource: '*' }] }),
      }),
    );
    const { serial, secret } = await newVirtualDevice('self');
    await enable(userName, serial, consecutiveCodes(secret));
    const listed = await self.send(new ListMFADevicesCommand({}));
    expect(listed.MFADevices?.map((d) => [d.UserName, d.SerialNumber])).toEqual([[userName, serial]]);
    await self.send(new DeactivateMFADeviceCommand({ SerialNumber: serial }));
    expect(await serialsOf(userName)).toEqual([]);

    expect(await failure(fx.portal.send(new ListMFADevicesCommand({})))).toMatchObject({
      name: 'ValidationError',
      message: 'Must specify userName when calling with non-User credentials',
    });
  });
});

describe('DeleteUser', () => {
  it('refuses a user who still has MFA devices with DeleteConflict', async () => {
    const user = await newUser('keep');
    const { serial, secret } = await newVirtualDevice('keep');
    await enable(user, serial, consecutiveCodes(secret));
    expect(await failure(fx.admin.send(new DeleteUserCommand({ UserName: user })))).toMatchObject({ name: 'DeleteConflictException', status: 409 });
  });
});
