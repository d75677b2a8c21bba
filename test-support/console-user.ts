import { CreateLoginProfileCommand, CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, type IAMClient } from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import { consecutiveCodes, secretFromSeed } from '@/infra/local/totp';

/**
 * Gives an existing IAM user what a console sign-in with MFA needs: a password and an enabled virtual MFA device.
 * Through `iam` as given (moto directly emits no IAM change event). Returns the device's serial.
 */
export async function enableConsoleWithMfa(iam: IAMClient, userName: string): Promise<string> {
  await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: `Pw-${randomBytes(8).toString('hex')}!` }));
  const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: userName }));
  const serial = device.VirtualMFADevice!.SerialNumber!;
  const { AuthenticationCode1, AuthenticationCode2 } = consecutiveCodes(secretFromSeed(device.VirtualMFADevice!.Base32StringSeed!));
  await iam.send(new EnableMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1, AuthenticationCode2 }));
  return serial;
}
