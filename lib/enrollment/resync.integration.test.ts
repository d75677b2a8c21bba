import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import { withTestAccount } from '@/test-support/test-account';
import { consecutiveCodes, totpCode } from '@/infra/local/totp';
import type { Actor } from '@/lib/auth/types';
import { completeVirtualEnrollment, startVirtualEnrollment } from './virtual';
import { resyncDevice, testDeviceWithKeys } from './devices';
import { userArn } from '@/lib/iam-identifiers';
import { enrollHardwareToken } from './hardware';
import { RATE_LIMITS, retryTime } from './rate-limits';
import { and, eq, sql } from 'drizzle-orm';
import { startTestPostgres, type TestPostgres } from '@/scripts/test-postgres';
import { getDatabase, openDatabase, type Database } from '@/lib/db/client';
import { auditLog } from '@/lib/db/schema';
import { formatHourMinute } from '@/lib/format';

const account = withTestAccount('222222222222');

const STEP_MS = 30_000;
const hhmmUtc = (ms: number) => formatHourMinute(new Date(ms));

/** A member with an enrolled authenticator app (the test keeps the key, as the phone would) and access keys. */
async function memberWithPhone(prefix: string) {
  const actor: Actor = await account.newActor(prefix);
  const principal = actor.principals[0]!;
  const started = await startVirtualEnrollment(actor, principal, { deviceName: 'phone' });
  if (started.status !== 'success') throw new Error('start failed');
  const secret = started.data.manualKey.replace(/\s/g, '');
  const { AuthenticationCode1: code1, AuthenticationCode2: code2 } = consecutiveCodes(secret);
  const done = await completeVirtualEnrollment(actor, { enrollmentId: started.data.enrollmentId, sealed: started.data.sealed, code1, code2 });
  if (done.result.status !== 'success') throw new Error(`enrollment failed: ${JSON.stringify(done.result)}`);
  const { AccessKey } = await account.iam.send(new CreateAccessKeyCommand({ UserName: principal.userName }));
  const keys = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  return { actor, principal, secret, serial: done.result.data.serial, keys };
}

describe('resync refuses a phone clock that is minutes off', () => {
  it('tells the user to fix the time, does not call ResyncMFADevice; with the clock right it does resync', async () => {
    const { actor, principal, secret, serial, keys } = await memberWithPhone('drift');
    const DRIFT = 8; // steps: the phone is 4 minutes ahead
    const drifted = consecutiveCodes(secret, Date.now(), DRIFT);
    const refused = await resyncDevice(actor, principal, {
      serial,
      code1: drifted.AuthenticationCode1,
      code2: drifted.AuthenticationCode2,
      deviceTime: hhmmUtc(Date.now() + DRIFT * STEP_MS),
      utcOffsetMinutes: 0,
    });
    expect(refused).toMatchObject({ status: 'error', code: 'ClockDrift', message: expect.stringMatching(/about 4 minutes ahead.*Fix the phone's time first/) });

    // AWS still expects codes at the real time: had the portal resynced, a current code would be outside the session window.
    expect(await testDeviceWithKeys(actor, principal, { serial, ...keys, code: totpCode(secret) })).toMatchObject({ status: 'success' });

    // Control: the same drifted codes with the phone showing the real time are resynced (the local AWS accepts ±10 minutes),
    // after which AWS expects the drifted clock.
    const again = consecutiveCodes(secret, Date.now(), DRIFT);
    const resynced = await resyncDevice(actor, principal, { serial, code1: again.AuthenticationCode1, code2: again.AuthenticationCode2, deviceTime: hhmmUtc(Date.now()), utcOffsetMinutes: 0 });
    expect(resynced).toMatchObject({ status: 'success' });
    expect(await testDeviceWithKeys(actor, principal, { serial, ...keys, code: totpCode(secret, Date.now(), DRIFT + 1) })).toMatchObject({ status: 'success' });
  });

  it('asks for the phone time of an authenticator app before anything else', async () => {
    const { actor, principal, secret, serial } = await memberWithPhone('notime');
    const codes = consecutiveCodes(secret);
    expect(await resyncDevice(actor, principal, { serial, code1: codes.AuthenticationCode1, code2: codes.AuthenticationCode2 })).toMatchObject({
      status: 'invalid',
      fieldErrors: { deviceTime: [expect.stringMatching(/time your phone shows/)] },
    });
  });
});

describe('rate limits per kind of check', () => {
  it('hardware: after the limit, says when the next try is allowed; resync and the CLI test still go ahead', async () => {
    const { actor, principal, secret, serial, keys } = await memberWithPhone('hwlimit');
    const { max, windowMs } = RATE_LIMITS.hardware;
    const t0 = Date.now();
    for (let i = 0; i < max; i++) {
      const r = await enrollHardwareToken(actor, principal, { serial: 'GAHT00000000', code1: '123456', code2: '654321' });
      expect(r).toMatchObject({ status: 'error', code: 'NoSuchEntity' });
    }
    const t1 = Date.now();
    const limited = await enrollHardwareToken(actor, principal, { serial: 'GAHT00000000', code1: '123456', code2: '654321' });
    expect(limited).toMatchObject({ status: 'error', code: 'RateLimited' });
    const message = (limited as { message: string }).message;
    expect(message).toMatch(/at most 10 wrong hardware-token codes in 15 minutes/);
    // The first counted attempt leaves the window 15 minutes after it was made.
    expect([retryTime(new Date(t0 + windowMs)), retryTime(new Date(t1 + windowMs))]).toContain(message.match(/Try again at (\d\d:\d\d UTC)/)?.[1]);
    expect(message).toMatch(/\(in 1[45] minutes\)/);

    // Other kinds count only their own attempts.
    const codes = consecutiveCodes(secret);
    expect(await resyncDevice(actor, principal, { serial, code1: codes.AuthenticationCode1, code2: codes.AuthenticationCode2, deviceTime: hhmmUtc(Date.now()), utcOffsetMinutes: 0 })).toMatchObject({
      status: 'success',
    });
    expect(await testDeviceWithKeys(actor, principal, { serial, ...keys, code: totpCode(secret, Date.now(), 1) })).toMatchObject({ status: 'success' });
  });

  it('resync: failed resyncs are limited on their own; the CLI test is not', async () => {
    const { actor, principal, secret, serial, keys } = await memberWithPhone('rslimit');
    const wrong = { serial, code1: '000000', code2: '000001', deviceTime: hhmmUtc(Date.now()), utcOffsetMinutes: 0 };
    for (let i = 0; i < RATE_LIMITS.resync.max; i++) expect(await resyncDevice(actor, principal, wrong)).toMatchObject({ status: 'error', code: 'InvalidAuthenticationCode' });
    expect(await resyncDevice(actor, principal, wrong)).toMatchObject({ status: 'error', code: 'RateLimited', message: expect.stringMatching(/failed resyncs in 15 minutes\. Try again at \d\d:\d\d UTC/) });
    expect(await testDeviceWithKeys(actor, principal, { serial, ...keys, code: totpCode(secret) })).toMatchObject({ status: 'success' });
  });

  it('CLI test: failed tests are limited on their own', async () => {
    const { actor, principal, serial, keys } = await memberWithPhone('clilimit');
    for (let i = 0; i < RATE_LIMITS['cli-test'].max; i++)
      expect(await testDeviceWithKeys(actor, principal, { serial, ...keys, code: '000000' })).toMatchObject({ status: 'error', code: 'MfaRejected' });
    expect(await testDeviceWithKeys(actor, principal, { serial, ...keys, code: '000000' })).toMatchObject({ status: 'error', code: 'RateLimited', message: expect.stringMatching(/failed CLI tests/) });
  });
});

describe.each([
  { name: 'PGlite', server: false },
  { name: 'a PostgreSQL server', server: true },
])('parallel wrong resyncs on $name', ({ server }) => {
  const holder = globalThis as unknown as { __mfaPortalDb?: Promise<Database> };
  let pgServer: TestPostgres | undefined;
  let saved: Promise<Database> | undefined;
  beforeAll(async () => {
    if (!server) return;
    // The portal's database for this block: a real server, where each request runs on its own pooled connection.
    pgServer = await startTestPostgres();
    saved = holder.__mfaPortalDb;
    holder.__mfaPortalDb = openDatabase(pgServer.url);
  }, 120_000);
  afterAll(async () => {
    if (!server) return;
    await (await holder.__mfaPortalDb!).close();
    holder.__mfaPortalDb = saved;
    await pgServer?.stop();
  });

  it(`let exactly ${RATE_LIMITS.resync.max} of 25 reach AWS`, async () => {
    const database = await getDatabase();
    expect(database.kind).toBe(server ? 'postgres' : 'pglite');
    const { actor, principal, serial } = await memberWithPhone(server ? 'rsracepg' : 'rsracelite');
    const wrong = { serial, code1: '000000', code2: '000001', deviceTime: hhmmUtc(Date.now()), utcOffsetMinutes: 0 };
    const results = await Promise.all(Array.from({ length: 25 }, () => resyncDevice(actor, principal, wrong)));
    const codes = results.map((r) => (r.status === 'error' ? r.code : r.status));
    // Only AWS answers InvalidAuthenticationCode; every call to it is preceded by its audit intent row.
    expect(codes.filter((c) => c === 'InvalidAuthenticationCode')).toHaveLength(RATE_LIMITS.resync.max);
    expect(codes.filter((c) => c === 'RateLimited')).toHaveLength(25 - RATE_LIMITS.resync.max);
    const intents = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'device.resync'), eq(auditLog.outcome, 'intent'), eq(auditLog.target, userArn(principal.accountId, principal.userName))));
    expect(intents[0]!.n).toBe(RATE_LIMITS.resync.max);
  }, 120_000);
});

