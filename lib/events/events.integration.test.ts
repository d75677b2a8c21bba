import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteUserCommand,
  EnableMFADeviceCommand,
  IAMClient,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, type AwsCredentials } from '@/infra/local/aws-clients';
import { consoleCredentials, consoleIam } from '@/infra/local/console';
import { sqsClient } from '@/infra/local/events-queue';
import type { GroundTruth } from '@/infra/local/ground-truth';
import { DEV_ACCOUNT, LOCAL_CONSOLE_ROLE_NAME } from '@/infra/local/organisation';
import { publishEnvelope, publishRaw } from '@/infra/local/proxy-events';
import { consecutiveCodes, secretFromSeed } from '@/infra/local/totp';
import { resetAwsClients } from '@/lib/aws/clients';
import { getDb } from '@/lib/db/client';
import { consoleSignInEvidence, iamEventsApplied, inventoryUsers } from '@/lib/db/schema';
import { roleArn } from '@/lib/iam-identifiers';
import { readUserRow } from '@/lib/inventory/store';
import { removeTestUser, removeTestUsersAndSetups } from '@/test-support/iam-cleanup';
import { enableConsoleWithMfa } from '@/test-support/console-user';
import { useLocalStack } from '@/test-support/stack';
import type { Actor } from '@/lib/auth/types';
import { principalKey } from '@/lib/enrollment/ownership';
import { applyEventMessage } from './apply';
import { drainEvents, startEventLoop } from './consumer';
import { getSignInEvidence } from './evidence';
import { eventCounts } from './counters';
import { consoleLoginEnvelope, iamCallEnvelope } from './envelope';

/**
 * IAM changes made directly against AWS (the local stack's AWS endpoint, not the portal) reach the portal's stored
 * inventory through the event queue: the proxy emits each as EventBridge would, the consumer applies it.
 */

let gt: GroundTruth;
let motoUrl: string;
let awsEndpoint: string;
let queueUrl: string;
let deadLetterQueueUrl: string;
let admin: IAMClient;
let sqs: SQSClient;
const created: string[] = [];

/** An administrator using the IAM API through the AWS endpoint, as anyone in the organisation could. */
async function directIam(): Promise<IAMClient> {
  const target = { endpoint: awsEndpoint, region: gt.region };
  const credentials: AwsCredentials = await assumeRole(target, consoleCredentials(gt), roleArn(DEV_ACCOUNT, LOCAL_CONSOLE_ROLE_NAME), { sessionName: 'admin' });
  return new IAMClient({ ...target, credentials });
}

/** Receives and deletes whatever the queue holds (events of earlier test files). */
async function emptyQueue(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!out.Messages?.length) return bodies;
    for (const m of out.Messages) {
      bodies.push(m.Body ?? '');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

/** Drains until `done` holds (events are emitted just after the call answers), at most `ms`. */
async function drainUntil<T>(done: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    await drainEvents(queueUrl, 3000, 2);
    const value = await done();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('the change did not arrive in time');
  }
}

const row = async (userName: string) => readUserRow(await getDb(), DEV_ACCOUNT, userName);

/** A password and an MFA device for the user, straight in moto (no events): what AWS must show for a sign-in with MFA. */
async function canSignInWithMfa(userName: string): Promise<void> {
  const direct = await consoleIam({ motoUrl, accountId: DEV_ACCOUNT, groundTruth: gt });
  try {
    await enableConsoleWithMfa(direct, userName);
  } finally {
    direct.destroy();
  }
}

beforeAll(async () => {
  const { stack, groundTruth } = await useLocalStack();
  resetAwsClients();
  gt = groundTruth;
  motoUrl = stack.motoUrl;
  awsEndpoint = stack.awsEndpoint;
  queueUrl = stack.env.MFA_EVENTS_QUEUE_URL!;
  deadLetterQueueUrl = queueUrl.replace(/mfa-portal-iam-events$/, 'mfa-portal-iam-events-dlq');
  sqs = sqsClient({ endpoint: awsEndpoint, region: gt.region }, { accessKeyId: gt.portal.accessKeyId, secretAccessKey: gt.portal.secretAccessKey });
  admin = await directIam();
  await emptyQueue(queueUrl);
  await emptyQueue(deadLetterQueueUrl);
});

afterAll(async () => {
  const cleanup = await consoleIam({ motoUrl, accountId: DEV_ACCOUNT, groundTruth: gt });
  await removeTestUsersAndSetups(cleanup, created);
  cleanup.destroy();
  admin.destroy();
  sqs.destroy();
});

const newName = (label: string) => {
  const name = `events-${label}-${randomBytes(4).readUInt32BE(0)}`;
  created.push(name);
  return name;
};

describe('IAM change events from the local stack', () => {
  it('a user created, given a password, tagged and enrolled directly against AWS is stored and re-verdicted at once', async () => {
    const UserName = newName('direct');
    await admin.send(new CreateUserCommand({ UserName }));
    await admin.send(new CreateLoginProfileCommand({ UserName, Password: `Pw-${randomBytes(8).toString('hex')}!` }));
    const gap = await drainUntil(async () => {
      const r = await row(UserName);
      return r?.consoleAccess ? r : null;
    });
    expect(gap).toMatchObject({ source: 'event', consoleAccess: true, mfaState: 'none', runId: null });

    await admin.send(new TagUserCommand({ UserName, Tags: [{ Key: 'email', Value: `${UserName}@example.com` }] }));
    const tagged = await drainUntil(async () => {
      const r = await row(UserName);
      return r?.tags.email ? r : null;
    });
    expect(tagged.emailTag).toBe(`${UserName}@example.com`);

    const device = await admin.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: UserName }));
    const serial = device.VirtualMFADevice!.SerialNumber!;
    const { AuthenticationCode1, AuthenticationCode2 } = consecutiveCodes(secretFromSeed(device.VirtualMFADevice!.Base32StringSeed!));
    await admin.send(new EnableMFADeviceCommand({ UserName, SerialNumber: serial, AuthenticationCode1, AuthenticationCode2 }));
    const enrolled = await drainUntil(async () => {
      const r = await row(UserName);
      return r?.mfaState === 'enabled' ? r : null;
    });
    expect(enrolled.devices.map((d) => d.serial)).toEqual([serial]);
  });

  it('applies a replayed event once, and records a console sign-in with MFA as evidence', async () => {
    const UserName = newName('replay');
    await admin.send(new CreateUserCommand({ UserName }));
    await drainUntil(() => row(UserName));
    await canSignInWithMfa(UserName);
    const signIn = consoleLoginEnvelope({ accountId: DEV_ACCOUNT, userName: UserName, mfaUsed: true });
    const before = eventCounts();
    await publishEnvelope(motoUrl, queueUrl, signIn);
    await publishEnvelope(motoUrl, queueUrl, signIn);
    const db = await getDb();
    const evidence = await drainUntil(async () => {
      const [e] = await db.select().from(consoleSignInEvidence).where(eq(consoleSignInEvidence.userName, UserName));
      return eventCounts().dropped.replay > before.dropped.replay ? e : null;
    });
    expect(evidence).toMatchObject({ accountId: DEV_ACCOUNT, mfaEventId: signIn.detail.eventID, mfaSeenAt: new Date(signIn.detail.eventTime) });
    expect(eventCounts().dropped.replay - before.dropped.replay).toBe(1);
    const applied = await db.select().from(iamEventsApplied).where(eq(iamEventsApplied.eventId, signIn.detail.eventID));
    expect(applied).toHaveLength(1);
    expect(applied[0]!.appliedAt).not.toBeNull();
  });

  it('records no evidence of a console sign-in AWS does not bear out: no password, or no MFA device for a sign-in with MFA', async () => {
    const UserName = newName('forged');
    await admin.send(new CreateUserCommand({ UserName }));
    await drainUntil(() => row(UserName));
    const forged = consoleLoginEnvelope({ accountId: DEV_ACCOUNT, userName: UserName, mfaUsed: true });
    expect(await applyEventMessage(JSON.stringify(forged))).toMatchObject({ kind: 'applied' });
    const db = await getDb();
    expect(await db.select().from(consoleSignInEvidence).where(eq(consoleSignInEvidence.userName, UserName))).toEqual([]);
    // The same sign-in once AWS shows a password and an MFA device: evidence.
    await canSignInWithMfa(UserName);
    const real = consoleLoginEnvelope({ accountId: DEV_ACCOUNT, userName: UserName, mfaUsed: true });
    expect(await applyEventMessage(JSON.stringify(real))).toMatchObject({ kind: 'applied' });
    const [evidence] = await db.select().from(consoleSignInEvidence).where(eq(consoleSignInEvidence.userName, UserName));
    expect(evidence?.mfaEventId).toBe(real.detail.eventID);
  });

  it('a user deleted and created again under the same name does not inherit the former user\'s console sign-ins', async () => {
    const UserName = newName('reborn');
    const adminActor: Actor = { id: 'admin@example.com', email: 'admin@example.com', name: 'Admin', method: 'oidc', roles: ['admin'], principals: [], authTime: 0 };
    const evidenceOf = async () => (await getSignInEvidence(adminActor, [{ accountId: DEV_ACCOUNT, userName: UserName }])).get(principalKey({ accountId: DEV_ACCOUNT, userName: UserName }));
    const db = await getDb();
    const stored = async () => (await db.select().from(consoleSignInEvidence).where(eq(consoleSignInEvidence.userName, UserName)))[0];
    await admin.send(new CreateUserCommand({ UserName }));
    await drainUntil(() => row(UserName));
    await canSignInWithMfa(UserName);
    await publishEnvelope(motoUrl, queueUrl, consoleLoginEnvelope({ accountId: DEV_ACCOUNT, userName: UserName, mfaUsed: true }));
    expect((await drainUntil(evidenceOf))?.mfaSeenAt).not.toBeNull();

    // Deleted (its password and device first, as IAM requires) and created again, both through the AWS endpoint.
    await removeTestUser(admin, UserName);
    await drainUntil(async () => !(await row(UserName)) && !(await stored()));
    await admin.send(new CreateUserCommand({ UserName }));
    const reborn = await drainUntil(() => row(UserName));
    await canSignInWithMfa(UserName);
    // The former user's sign-in, delivered late (EventBridge does not promise order).
    const late = consoleLoginEnvelope({ accountId: DEV_ACCOUNT, userName: UserName, mfaUsed: true, at: new Date(reborn.createdAt!.getTime() - 60_000) });
    await publishEnvelope(motoUrl, queueUrl, late);
    await drainUntil(async () => (await stored())?.mfaEventId === late.detail.eventID);
    expect(await evidenceOf()).toEqual({ mfaSeenAt: null, withoutMfaSeenAt: null });
  });

  it('a CreateUser applied before the DeleteUser of a former user of that name keeps nothing of the former user\'s row', async () => {
    const UserName = newName('recreated');
    await admin.send(new CreateUserCommand({ UserName }));
    await drainUntil(() => row(UserName));
    const db = await getDb();
    // As an inventory run read the former user: created long ago, password and keys used.
    const former = { createdAt: new Date('2020-01-01T00:00:00Z'), passwordLastUsed: new Date('2021-01-01T00:00:00Z'), accessKeyLastUsed: new Date('2021-01-02T00:00:00Z') };
    await db.update(inventoryUsers).set(former).where(and(eq(inventoryUsers.accountId, DEV_ACCOUNT), eq(inventoryUsers.userName, UserName)));
    // Deleted and created again straight in moto (no events): the DeleteUser event is late, the CreateUser comes first.
    const direct = await consoleIam({ motoUrl, accountId: DEV_ACCOUNT, groundTruth: gt });
    try {
      await direct.send(new DeleteUserCommand({ UserName }));
      await direct.send(new CreateUserCommand({ UserName }));
    } finally {
      direct.destroy();
    }
    expect(await applyEventMessage(JSON.stringify(iamCallEnvelope({ accountId: DEV_ACCOUNT, eventName: 'CreateUser', requestParameters: { userName: UserName } })))).toMatchObject({ kind: 'applied' });
    const stored = await row(UserName);
    expect(stored?.createdAt?.getUTCFullYear()).toBeGreaterThan(2020);
    expect(stored).toMatchObject({ passwordLastUsed: null, accessKeyLastUsed: null, source: 'event' });
  });

  it('drops malformed, foreign-account and unknown-user events with a count, and keeps consuming', async () => {
    const before = eventCounts();
    await publishRaw(motoUrl, queueUrl, '{"detail-type": oops');
    await publishEnvelope(motoUrl, queueUrl, iamCallEnvelope({ accountId: '999999999999', eventName: 'TagUser', requestParameters: { userName: 'someone' } }));
    await publishEnvelope(motoUrl, queueUrl, iamCallEnvelope({ accountId: DEV_ACCOUNT, eventName: 'TagUser', requestParameters: { userName: `nobody-${randomBytes(4).toString('hex')}` } }));
    const UserName = newName('after-bad');
    await admin.send(new CreateUserCommand({ UserName }));
    await drainUntil(() => row(UserName));
    const after = eventCounts();
    expect(after.dropped.malformed - before.dropped.malformed).toBe(1);
    expect(after.dropped['outside-organisation'] - before.dropped['outside-organisation']).toBe(1);
    expect(after.dropped['unknown-user'] - before.dropped['unknown-user']).toBe(1);
  });

  it('the in-process loop applies events as they come, and stops in the middle of a 20 s long poll', async () => {
    const loop = startEventLoop(queueUrl);
    try {
      const UserName = newName('loop');
      await admin.send(new CreateUserCommand({ UserName }));
      const deadline = Date.now() + 20_000;
      while (!(await row(UserName)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await row(UserName)).toMatchObject({ source: 'event' });
    } finally {
      // The loop is now waiting in a long poll (20 s): stop() aborts it, well within this test's 15 s.
      await loop.stop();
    }
  }, 15_000);

  it('leaves a message whose processing fails on the queue, and SQS moves it to the dead-letter queue', async () => {
    const UserName = newName('poison');
    await admin.send(new CreateUserCommand({ UserName }));
    await drainUntil(() => row(UserName));
    const poison = iamCallEnvelope({ accountId: DEV_ACCOUNT, eventName: 'TagUser', requestParameters: { userName: UserName } });
    await publishEnvelope(motoUrl, queueUrl, poison);
    // AWS answers every GetUser with 503 (the SDK's retries included) while the queue redelivers it.
    await fetch(new URL('/_local/faults', awsEndpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'GetUser', kind: '5xx', times: 1000 }),
    });
    try {
      const before = eventCounts().failed;
      const deadline = Date.now() + 45_000;
      let dead: string[] = [];
      while (dead.length === 0 && Date.now() < deadline) {
        await drainEvents(queueUrl, 4000);
        dead = (await emptyQueue(deadLetterQueueUrl)).filter((b) => b.includes(poison.detail.eventID));
      }
      expect(dead).toHaveLength(1);
      expect(eventCounts().failed - before).toBeGreaterThanOrEqual(1);
    } finally {
      await fetch(new URL('/_local/faults', awsEndpoint), { method: 'DELETE' });
    }
    // Not applied: its claim was released, so a later delivery of the same event would be applied.
    const claims = await (await getDb()).select().from(iamEventsApplied).where(eq(iamEventsApplied.eventId, poison.detail.eventID));
    expect(claims).toEqual([]);
  }, 60_000);
});
