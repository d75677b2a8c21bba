import { CreateLoginProfileCommand, CreateUserCommand, DeleteLoginProfileCommand, DeleteUserCommand, GetAccountAuthorizationDetailsCommand, type IAMClient } from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleIam, recordConsoleSignIn, setUserActivity } from '@/infra/local/console';
import type { GroundTruth } from '@/infra/local/ground-truth';
import { DEV_ACCOUNT, SECURITY_ACCOUNT } from '@/infra/local/organisation';
import { useLocalStack } from '@/test-support/stack';
import { resetAwsClients } from '@/lib/aws/clients';
import { readCredentialReport } from '@/lib/aws/inventory-sources';
import { noteLocalConsoleSignIn } from '@/lib/aws/local-console-sign-in';
import { getEnv } from '@/lib/env';
import { collectAccount } from './collect';
import { parseCredentialReport } from './credential-report';
import { flagRulesFrom } from './flag-rules';
import { userVerdict } from './coverage-view';
import { ALL_DEVICE_TYPES } from '@/lib/program/resolve';

/**
 * The credential report of the local stack looks like AWS's (moto_fidelity.py): a real generation time, the seed's
 * creation and sign-in dates, console sign-ins recorded when they happen; and the flags follow from them.
 */

let gt: GroundTruth;
let awsEndpoint: string;
let motoUrl: string;
let admin: IAMClient;
const created: string[] = [];

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  resetAwsClients();
  gt = groundTruth;
  awsEndpoint = stack.awsEndpoint;
  motoUrl = stack.motoUrl;
  admin = await consoleIam({ motoUrl, accountId: DEV_ACCOUNT, groundTruth });
});

afterAll(async () => {
  for (const UserName of created) {
    await admin.send(new DeleteLoginProfileCommand({ UserName })).catch(() => undefined);
    await admin.send(new DeleteUserCommand({ UserName }));
  }
  admin.destroy();
});

async function newConsoleUser(label: string, password = true): Promise<string> {
  // Digits only: a hex suffix can spell a name part that reads as automation ("cd"), which adds a service-user hint.
  const UserName = `flags-${label}-${randomBytes(4).readUInt32BE(0)}`;
  await admin.send(new CreateUserCommand({ UserName }));
  created.push(UserName);
  if (password) await admin.send(new CreateLoginProfileCommand({ UserName, Password: `Pw-${randomBytes(8).toString('hex')}!` }));
  return UserName;
}

const report = async (accountId: string) => {
  const raw = await readCredentialReport(accountId, { initialDelayMs: 50 });
  return { ...raw, report: parseCredentialReport(raw.csv) };
};

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the local credential report', () => {
  it('carries its real generation time, not 2015', async () => {
    const before = Date.now();
    const { generatedAt } = await report(DEV_ACCOUNT);
    expect(generatedAt).not.toBeNull();
    // Second precision, as AWS gives it.
    expect(generatedAt!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(generatedAt!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("holds the seed's dates: user_creation_time equals CreateDate, password_last_used the recorded sign-in", async () => {
    const { report: r } = await report(SECURITY_ACCOUNT);
    const carol = gt.users.find((u) => u.accountId === SECURITY_ACCOUNT && u.userName === 'carol')!;
    expect(carol.passwordLastUsed).toBeTruthy();
    const row = r.users.get('carol')!;
    expect(row.passwordLastUsed?.toISOString()).toBe(new Date(carol.passwordLastUsed!).toISOString());
    expect(row.createdAt?.toISOString()).toBe(new Date(carol.createdAt!).toISOString());
    // About 400 days ago (the demo's long-standing staff), signed in 2 days ago.
    expect(Math.round((Date.now() - row.createdAt!.getTime()) / 86_400_000)).toBe(400);
    expect(Math.round((Date.now() - row.passwordLastUsed!.getTime()) / 86_400_000)).toBe(2);
    const iam = await consoleIam({ motoUrl, accountId: SECURITY_ACCOUNT, groundTruth: gt });
    try {
      const details = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'], MaxItems: 1000 }));
      const createDate = details.UserDetailList?.find((u) => u.UserName === 'carol')?.CreateDate;
      expect(createDate?.toISOString()).toBe(row.createdAt!.toISOString());
    } finally {
      iam.destroy();
    }
    // Never used: no_information, as AWS says it.
    const breakGlass = r.users.get('break-glass')!;
    expect(breakGlass).toMatchObject({ passwordEnabled: true, passwordLastUsed: null, passwordNeverUsed: true });
  });

  it('records a console sign-in (the proxy endpoint): password_last_used becomes now', async () => {
    const userName = await newConsoleUser('signin');
    const before = await report(DEV_ACCOUNT);
    expect(before.report.users.get(userName)).toMatchObject({ passwordEnabled: true, passwordLastUsed: null, passwordNeverUsed: true });
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const recorded = await recordConsoleSignIn(awsEndpoint, DEV_ACCOUNT, userName);
    expect(Date.parse(recorded.passwordLastUsed!)).toBeGreaterThanOrEqual(t0);
    const after = await report(DEV_ACCOUNT);
    const row = after.report.users.get(userName)!;
    expect(row.passwordLastUsed!.getTime()).toBeGreaterThanOrEqual(t0);
    expect(row.passwordLastUsed!.getTime()).toBeLessThanOrEqual(after.generatedAt!.getTime());
    expect(row.passwordNeverUsed).toBe(false);
  });

  it('refuses what AWS could never record: a sign-in without a console password, an unknown user, a sign-in before creation', async () => {
    const keyOnly = await newConsoleUser('nopw', false);
    expect((await post(`${awsEndpoint}/_local/console-sign-in`, { accountId: DEV_ACCOUNT, userName: keyOnly })).status).toBe(409);
    expect((await post(`${awsEndpoint}/_local/console-sign-in`, { accountId: DEV_ACCOUNT, userName: 'nobody-here-x' })).status).toBe(404);
    expect((await post(`${awsEndpoint}/_local/console-sign-in`, { accountId: 'x', userName: keyOnly })).status).toBe(400);
    const fresh = await newConsoleUser('order');
    await expect(setUserActivity(motoUrl, { accountId: DEV_ACCOUNT, userName: fresh, passwordLastUsed: new Date(Date.now() - 86_400_000).toISOString() })).rejects.toThrow(/409/);
    await expect(setUserActivity(motoUrl, { accountId: DEV_ACCOUNT, userName: fresh, createDate: new Date(Date.now() + 86_400_000).toISOString() })).rejects.toThrow(/400/);
  });
});

describe('flags from the local stack', () => {
  it('a user created minutes ago is "not signed in yet"; after a console sign-in through the portal\'s path, nothing is flagged', async () => {
    const userName = await newConsoleUser('fresh');
    const rules = flagRulesFrom(getEnv());
    const first = (await collectAccount(DEV_ACCOUNT, { flagRules: rules })).users.find((u) => u.userName === userName)!;
    expect(first.flags).toEqual(['not-signed-in-yet']);
    expect(first.flagEvidence[0]?.facts).toMatch(/^created \d{1,2} \w{3} \d{4} \(0 days ago\); no console sign-in yet; stale from /);
    const verdict = userVerdict({ ...first, programGap: 'no-mfa', allowedDeviceTypes: [...ALL_DEVICE_TYPES], minDevices: 1, decision: 'required', exceptionExpired: false, expiresAt: null });
    expect(verdict).toMatchObject({ status: 'gap', remediation: 'enroll' });
    expect(verdict.notes[0]).toMatch(/^Not signed in yet: created/);

    // What the portal does when a member records a passed console sign-in test.
    expect(await noteLocalConsoleSignIn({ accountId: DEV_ACCOUNT, userName })).toBe(true);
    const second = (await collectAccount(DEV_ACCOUNT, { flagRules: rules })).users.find((u) => u.userName === userName)!;
    expect(second.flags).toEqual([]);
    expect(Date.now() - second.passwordLastUsed!.getTime()).toBeLessThan(60_000);
  });

  it('an old user who never signed in is stale, "never signed in since <created>"; one who signed in 91 days ago is stale, 89 not', async () => {
    const never = await newConsoleUser('never');
    const lapsed = await newConsoleUser('lapsed');
    const recent = await newConsoleUser('recent');
    const daysAgo = (d: number, h = 0) => new Date(Date.now() - d * 86_400_000 - h * 3_600_000).toISOString();
    await setUserActivity(motoUrl, { accountId: DEV_ACCOUNT, userName: never, createDate: daysAgo(200, 1) });
    await setUserActivity(motoUrl, { accountId: DEV_ACCOUNT, userName: lapsed, createDate: daysAgo(300), passwordLastUsed: daysAgo(91, 1) });
    await setUserActivity(motoUrl, { accountId: DEV_ACCOUNT, userName: recent, createDate: daysAgo(300), passwordLastUsed: daysAgo(89, 1) });
    const users = new Map((await collectAccount(DEV_ACCOUNT, { flagRules: flagRulesFrom(getEnv()) })).users.map((u) => [u.userName, u]));
    expect(users.get(never)!.flags).toEqual(['stale-console', 'never-signed-in']);
    expect(users.get(never)!.flagEvidence[0]!.facts).toMatch(/^never signed in since its creation on .* \(200 days ago\)$/);
    expect(users.get(lapsed)!.flags).toEqual(['stale-console']);
    expect(users.get(lapsed)!.flagEvidence[0]!.facts).toMatch(/^password last used .* \(91 days before .*\); created .* \(300 days ago\)$/);
    expect(users.get(recent)!.flags).toEqual([]);
  });

  it('the seeded service users are marked by the organisation tag; carol is not, and is told to add MFA', async () => {
    const rules = flagRulesFrom(getEnv());
    expect(rules.serviceMarkers.tags).toEqual([{ key: 'kind', value: 'service' }]);
    const users = new Map((await collectAccount(SECURITY_ACCOUNT, { flagRules: rules })).users.map((u) => [u.userName, u]));
    const carol = users.get('carol')!;
    expect(carol.flags.filter((f) => f !== 'several-devices')).toEqual([]);
    const verdict = userVerdict({ ...carol, programGap: 'disallowed-type', allowedDeviceTypes: ['hardware', 'fido'], minDevices: 2, decision: 'required', exceptionExpired: false, expiresAt: null });
    expect(verdict.remediation).toBe('enroll-allowed-type');
    expect(verdict.advice).not.toMatch(/remove/i);
    const service = gt.users.filter((x) => x.accountId === SECURITY_ACCOUNT && x.kind === 'service' && x.consoleAccess);
    expect(service.length).toBeGreaterThan(0);
    for (const u of service) {
      expect(users.get(u.userName)!.flagEvidence.find((e) => e.flag === 'service-with-console')).toMatchObject({ facts: 'tag kind=service; console password enabled', setting: 'MFA_SERVICE_USER_TAGS=kind=service' });
    }
  });
});
