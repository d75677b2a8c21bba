import { describe, expect, it } from 'vitest';
import { ListVirtualMFADevicesCommand } from '@aws-sdk/client-iam';
import { withTestAccount } from '@/test-support/test-account';
import type { Actor } from '@/lib/auth/types';
import { consecutiveCodes } from '@/infra/local/totp';
import { completeVirtualEnrollment, MAX_CODE_ATTEMPTS, MAX_CREATIONS_PER_HOUR, startVirtualEnrollment } from './virtual';

const account = withTestAccount('222222222222');

async function unassignedOf(userName: string) {
  return ((await account.iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned', MaxItems: 1000 }))).VirtualMFADevices ?? [])
    .map((d) => d.SerialNumber!)
    .filter((s) => s.includes(`/${userName}/`));
}

const newActor = account.newActor;

describe('enrollment rate limits', () => {
  it(`allows ${MAX_CREATIONS_PER_HOUR} device creations per IAM user per hour, then says why it refuses`, async () => {
    const actor = await newActor('creations');
    for (let i = 0; i < MAX_CREATIONS_PER_HOUR; i++) expect((await startVirtualEnrollment(actor, actor.principals[0]!, { deviceName: 'phone' })).status).toBe('success');
    expect(await startVirtualEnrollment(actor, actor.principals[0]!, { deviceName: 'phone' })).toMatchObject({
      status: 'error',
      code: 'RateLimited',
      message: expect.stringMatching(/^Too many attempts: at most 5 authenticator-app setups in an hour\. Try again at \d\d:\d\d UTC \(in (59|60) minutes\)\.$/),
    });
  });

  it(`allows ${MAX_CODE_ATTEMPTS} code attempts per setup, then cancels it`, async () => {
    const actor = await newActor('codes');
    const started = await startVirtualEnrollment(actor, actor.principals[0]!, { deviceName: 'phone' });
    if (started.status !== 'success') throw new Error('start failed');
    const attempt = () => completeVirtualEnrollment(actor, { enrollmentId: started.data.enrollmentId, sealed: started.data.sealed, code1: '000000', code2: '111111' });
    for (let i = 1; i < MAX_CODE_ATTEMPTS; i++) {
      const wrong = await attempt();
      expect(wrong.result).toMatchObject({ status: 'error', code: expect.stringMatching(/^Codes\./) });
      expect(wrong.done).toBe(false);
    }
    // The last allowed wrong pair ends the setup at once and deletes its device.
    const last = await attempt();
    expect(last.result).toMatchObject({ status: 'error', code: 'TooManyAttempts', message: expect.stringMatching(/Too many wrong codes/) });
    expect(last.done).toBe(true);
    expect(await unassignedOf(actor.principals[0]!.userName)).toEqual([]);
    // Sent again without the (destroyed) cookie, e.g. from another tab: still the true reason, not "expired".
    expect((await completeVirtualEnrollment(actor, { enrollmentId: started.data.enrollmentId, sealed: undefined, code1: '000000', code2: '111111' })).result).toMatchObject({
      code: 'TooManyAttempts',
    });
  });

  it('refuses a sealed state from another person, or tampered', async () => {
    const actor = await newActor('seal');
    const started = await startVirtualEnrollment(actor, actor.principals[0]!, { deviceName: 'phone' });
    if (started.status !== 'success') throw new Error('start failed');
    const other: Actor = { ...actor, id: 'mallory@example.com' };
    const input = { enrollmentId: started.data.enrollmentId, sealed: started.data.sealed, code1: '000000', code2: '111111' };
    expect((await completeVirtualEnrollment(other, input)).result).toMatchObject({ code: 'EnrollmentOtherSession', message: expect.stringMatching(/another browser or session/) });
    expect((await completeVirtualEnrollment(actor, { ...input, sealed: `${input.sealed}x` })).result).toMatchObject({ code: 'SetupUnreadable' });
    // No cookie in this browser for a recent, open setup of the same person: it lives in another session.
    expect((await completeVirtualEnrollment(actor, { ...input, sealed: undefined })).result).toMatchObject({ code: 'EnrollmentOtherSession' });
    expect((await completeVirtualEnrollment(actor, input, Date.now() + 11 * 60_000)).result).toMatchObject({ code: 'EnrollmentExpired', message: expect.not.stringMatching(/another/) });
    // Once expired, the missing cookie is explained as expiry, not as another session.
    expect((await completeVirtualEnrollment(actor, { ...input, sealed: undefined })).result).toMatchObject({ code: 'EnrollmentExpired' });
  });

  it('says the device is gone when a newer setup replaced it', async () => {
    const actor = await newActor('gone');
    const first = await startVirtualEnrollment(actor, actor.principals[0]!, { deviceName: 'phone' });
    if (first.status !== 'success') throw new Error('start failed');
    // Starting again deletes the first setup's unassigned device.
    expect((await startVirtualEnrollment(actor, actor.principals[0]!, { deviceName: 'phone2' })).status).toBe('success');
    const secret = first.data.manualKey.replace(/\s/g, '');
    const { AuthenticationCode1: code1, AuthenticationCode2: code2 } = consecutiveCodes(secret);
    const gone = await completeVirtualEnrollment(actor, { enrollmentId: first.data.enrollmentId, sealed: first.data.sealed, code1, code2 });
    expect(gone).toMatchObject({ done: true, result: { code: 'DeviceGone', message: expect.stringMatching(/no longer exists in AWS/) } });
  });
});
