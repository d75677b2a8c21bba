import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  GetMFADeviceCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetAwsClients } from '@/lib/aws/clients';
import type { Actor } from '@/lib/auth/types';
import { getDb } from '@/lib/db/client';
import { programCategories } from '@/lib/db/schema';
import { roleArn } from '@/lib/iam-identifiers';
import { userVerdict } from '@/lib/inventory/coverage-view';
import { allInventoryUsers, type InventoryRow } from '@/lib/inventory/queries';
import { startRefresh, waitForRun, type RunDetail } from '@/lib/inventory/refresh';
import { setTestEnv } from '@/test-support/env';
import { useLocalStack } from '@/test-support/stack';
import { assumeRole, iamClient } from './aws-clients';
import { demoCategories } from './demo-program';
import { setMotoAuth } from './moto';
import { setUpExtraAccount } from './seed';
import { benchUser, bulkCreateUsers, createUserViaApi, type BulkUser } from './seed-bulk';

/**
 * The bulk seed (moto_fidelity.py's /moto-api/fidelity/bulk-users) against the IAM API: the same population in two
 * fresh accounts, one created each way, must read the same through every IAM API the inventory uses and through the
 * portal's own inventory (same verdicts under the demo program).
 */
const BULK = '390000000001';
const API = '390000000002';
// Covers every kind benchUser makes: no console, virtual, virtual + FIDO operator, FIDO only (7, 57), a leftover (9).
const USERS = 60;
const admin: Actor = { id: 'dave@example.com', email: 'dave@example.com', name: 'Dave', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
const population = (accountId: string): BulkUser[] => Array.from({ length: USERS }, (_, i) => benchUser(i, accountId));

let run: RunDetail;
const readers = new Map<string, IAMClient>();

/** What may differ between two accounts and two moments: the account id, times, IAM's generated ids, FIDO key ids. */
const normalised = (value: unknown, accountId: string): unknown =>
  JSON.parse(
    JSON.stringify(value)
      .replaceAll(accountId, 'ACCOUNT')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, 'TIME')
      .replace(/"UserId":"[^"]+"/g, '"UserId":"USER-ID"')
      // A FIDO serial ends in a random id (newFidoSerial), as the console's do.
      .replace(/-[A-Z2-7]{26}\b/g, '-FIDO-ID'),
  );

const strip = <T extends { $metadata?: unknown }>({ $metadata, ...rest }: T) => (void $metadata, rest);

async function credentialReport(iam: IAMClient): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { State } = await iam.send(new GenerateCredentialReportCommand({}));
    if (State === 'COMPLETE') return Buffer.from((await iam.send(new GetCredentialReportCommand({}))).Content!).toString('utf8');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the credential report was never complete');
}

/** Everything the IAM APIs the inventory reads answer about the account's users, as the portal's member role sees it. */
async function iamView(accountId: string) {
  const iam = readers.get(accountId)!;
  const details = strip(await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'], MaxItems: 1000 })));
  const virtual = strip(await iam.send(new ListVirtualMFADevicesCommand({ MaxItems: 1000 })));
  const perUser = [];
  for (const { userName } of population(accountId)) {
    const loginProfile = await iam.send(new GetLoginProfileCommand({ UserName: userName })).then(strip, (error: Error) => error.name);
    const devices = strip(await iam.send(new ListMFADevicesCommand({ UserName: userName })));
    const fido = [];
    for (const d of devices.MFADevices ?? []) {
      if (d.SerialNumber?.includes(':u2f/')) fido.push(strip(await iam.send(new GetMFADeviceCommand({ UserName: userName, SerialNumber: d.SerialNumber }))));
    }
    perUser.push({ userName, loginProfile, devices, fido });
  }
  const report = (await credentialReport(iam)).split('\n');
  return normalised({ details, virtual, perUser, report }, accountId);
}

/** Each user's row in the portal's inventory and the verdict the pages show for it. */
async function portalView(accountId: string) {
  const rows: InventoryRow[] = [];
  for await (const page of allInventoryUsers(admin, { account: accountId })) rows.push(...page);
  const byName = rows
    .map((r) => ({
      userName: r.userName,
      verdict: userVerdict(r),
      consoleAccess: r.consoleAccess,
      mfaState: r.mfaState,
      flags: r.flags,
      devices: r.devices.map((d) => ({ type: d.type, name: d.name, certifications: d.certifications })),
      leftoverDevices: r.leftoverDevices,
      groups: r.groups,
      tags: r.tags,
      category: r.categoryName,
    }))
    .sort((a, b) => a.userName.localeCompare(b.userName));
  return normalised(byName, accountId) as { verdict: { status: string } }[];
}

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  setTestEnv({ MFA_ACCOUNTS: `${stack.env.MFA_ACCOUNTS},${BULK},${API}` });
  resetAwsClients();
  const direct = { endpoint: stack.motoUrl, region: stack.env.AWS_REGION ?? 'us-east-1' };
  const db = await getDb();
  await db.insert(programCategories).values(demoCategories(new Date()));

  // As the demo seed and the bench do: moto's auth off while accounts are set up, on again for the portal.
  await setMotoAuth(stack.motoUrl, false);
  try {
    (await setUpExtraAccount(direct, BULK, 'bulk-seeded')).destroy();
    const apiIam = await setUpExtraAccount(direct, API, 'api-seeded');
    await bulkCreateUsers(stack.motoUrl, BULK, population(BULK));
    for (const user of population(API)) await createUserViaApi(apiIam, user);
    apiIam.destroy();
  } finally {
    await setMotoAuth(stack.motoUrl, true);
  }

  // The portal's own identity and member role, through the proxy: what the inventory reads with.
  const target = { endpoint: stack.awsEndpoint, region: direct.region };
  const portalKey = { accessKeyId: stack.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY ?? '' };
  for (const accountId of [BULK, API]) {
    const credentials = await assumeRole(target, portalKey, roleArn(accountId, groundTruth.memberRole.name), { sessionName: 'bulk-seed-test', externalId: groundTruth.memberRole.externalId });
    readers.set(accountId, iamClient(target, credentials));
  }

  const started = await startRefresh({ actor: 'test', trigger: 'manual' }, { accountIds: [BULK, API] });
  if (!started.started) throw new Error('an inventory run was already going');
  run = (await waitForRun(started.runId))!;
}, 240_000);

afterAll(() => {
  for (const iam of readers.values()) iam.destroy();
});

describe('bulk-seeded users', () => {
  it('read through every IAM API the inventory uses exactly as API-created ones', async () => {
    const bulk = await iamView(BULK);
    const api = await iamView(API);
    expect(bulk).toEqual(api);
    // The comparison has substance: both hold the whole population, with devices and console passwords.
    const { details, perUser } = api as { details: { UserDetailList: unknown[] }; perUser: { loginProfile: unknown; devices: { MFADevices: unknown[] }; fido: unknown[] }[] };
    expect(details.UserDetailList).toHaveLength(USERS);
    expect(perUser.filter((u) => u.loginProfile !== 'NoSuchEntityException').length).toBeGreaterThan(USERS / 2);
    expect(perUser.filter((u) => u.devices.MFADevices.length > 0).length).toBeGreaterThan(USERS / 3);
    expect(perUser.filter((u) => u.fido.length > 0).length).toBeGreaterThan(1);
  });

  it("get the same verdicts in the portal's own inventory", async () => {
    expect(run.status).toBe('succeeded');
    const bulk = await portalView(BULK);
    const api = await portalView(API);
    expect(bulk).toHaveLength(USERS);
    expect(bulk).toEqual(api);
    // Verdicts of several kinds, so equal verdicts are not all-alike ones.
    expect(new Set(api.map((u) => u.verdict.status)).size).toBeGreaterThanOrEqual(3);
  });
});
