import { EnableMFADeviceCommand, type IAMClient } from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import { roleArn } from '@/lib/iam-identifiers';
import { assumeRole, iamClient, type AwsCredentials } from './aws-clients';
import { readGroundTruth, type GroundTruth } from './ground-truth';
import { fidoSerial } from './org-devices';
import { toBase32 } from './totp';
import { LOCAL_CONSOLE_ROLE_NAME, LOCAL_CONSOLE_USER_NAME } from './organisation';
import { iamCallEnvelope } from '@/lib/events/envelope';
import { EVENTS_QUEUE_NAME } from './events-queue';
import { publishEnvelope } from './proxy-events';

/**
 * The local stand-in for what only the AWS console can do. It talks to moto directly (motoUrl, never the AWS
 * endpoint: the proxy refuses the console header) as the LocalConsole role, which may do everything in IAM.
 */

export const CONSOLE_HEADER = 'X-Local-Console';
export const CONSOLE_REGISTER = 'register';
/** With the console header: the certifications moto_fidelity.py's GetMFADevice reports for the FIDO key registered. */
export const CERTIFICATIONS_HEADER = 'X-Local-Certifications';

/** An EnableMFADevice for a FIDO key that carries its certifications, as the console learns them from the FIDO MDS. */
export function withCertifications<C extends EnableMFADeviceCommand>(command: C, certifications: Record<string, string> | undefined): C {
  if (!certifications) return command;
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as HeaderBag;
      if (request.headers) request.headers[CERTIFICATIONS_HEADER.toLowerCase()] = JSON.stringify(certifications);
      return next(args);
    },
    { step: 'build', name: 'localCertificationsHeader' },
  );
  return command;
}

type HeaderBag = { headers?: Record<string, string> };

/** Marks every request of this client as coming from the console; moto_fidelity.py then accepts FIDO keys. */
export function withConsoleHeader<C extends IAMClient>(client: C): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as HeaderBag;
      if (request.headers) request.headers[CONSOLE_HEADER.toLowerCase()] = CONSOLE_REGISTER;
      return next(args);
    },
    { step: 'build', name: 'localConsoleHeader', override: true },
  );
  return client;
}

const loadTruth = async (truth: GroundTruth | string) => (typeof truth === 'string' ? readGroundTruth(truth) : truth);

/** The local console user's key (in the hosting account), from the ground truth. */
export function consoleCredentials(truth: GroundTruth): AwsCredentials {
  const key = truth.accessKeys.find((k) => k.accountId === truth.hostingAccountId && k.userName === LOCAL_CONSOLE_USER_NAME);
  if (!key) throw new Error(`the ground truth has no access key for ${LOCAL_CONSOLE_USER_NAME}: was it seeded by this version?`);
  return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
}

export type ConsoleTarget = {
  motoUrl: string;
  region?: string;
  accountId: string;
  /** The seed's ground truth, or its file: it holds the local console user's key. */
  groundTruth: GroundTruth | string;
};

/**
 * An IAM client for the LocalConsole role in `accountId`, talking to moto directly with the console header.
 * For tests that must create or clean up IAM state (their own users, keys, devices). destroy() it when done.
 */
export async function consoleIam(target: ConsoleTarget): Promise<IAMClient> {
  const truth = await loadTruth(target.groundTruth);
  const aws = { endpoint: target.motoUrl, region: target.region ?? truth.region };
  const credentials = await assumeRole(aws, consoleCredentials(truth), roleArn(target.accountId, LOCAL_CONSOLE_ROLE_NAME), {
    sessionName: 'local-console',
  });
  return withConsoleHeader(iamClient(aws, credentials));
}

export type UserActivity = { accountId: string; userName: string; createDate?: string; passwordLastUsed?: string | 'now' };
export type RecordedActivity = { accountId: string; userName: string; createDate: string; passwordLastUsed: string | null };

async function postJson(url: URL, body: unknown): Promise<RecordedActivity> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as RecordedActivity & { error?: string };
  if (!res.ok) throw new Error(`${url.pathname}: ${res.status} ${answer.error ?? ''}`.trim());
  return answer;
}

/**
 * Dates only time and people produce in AWS: when a user was created, when they last signed in to the console
 * (moto_fidelity.py's /moto-api/fidelity/user-activity, on moto itself). For the seed and tests.
 */
export const setUserActivity = (motoUrl: string, activity: UserActivity) => postJson(new URL('/moto-api/fidelity/user-activity', motoUrl), activity);

/**
 * A console sign-in with the user's password, now: what AWS records as password_last_used. Through the AWS endpoint
 * (the proxy's /_local/console-sign-in), so the portal in the demo can report the sign-ins its members test.
 */
export const recordConsoleSignIn = (awsEndpoint: string, accountId: string, userName: string) =>
  postJson(new URL('/_local/console-sign-in', awsEndpoint), { accountId, userName });

/**
 * CloudTrail's record of a console action, queued as EventBridge would on the portal's event queue (in the hosting
 * account; moto's queue URLs are {endpoint}/{account}/{name}). The console talks to moto directly, so the proxy
 * never sees these calls. Best effort: a stack started without the queue (the seed alone) has nowhere to send it.
 */
async function emitConsoleCall(target: ConsoleTarget, eventName: string, requestParameters: Record<string, unknown>): Promise<void> {
  const truth = await loadTruth(target.groundTruth);
  const envelope = iamCallEnvelope({
    accountId: target.accountId,
    eventName,
    requestParameters,
    caller: { type: 'AssumedRole', arn: `arn:aws:sts::${target.accountId}:assumed-role/${LOCAL_CONSOLE_ROLE_NAME}/local-console` },
  });
  await publishEnvelope(target.motoUrl, new URL(`/${truth.hostingAccountId}/${EVENTS_QUEUE_NAME}`, target.motoUrl).href, envelope).catch(() => undefined);
}

/** A FIDO serial as IAM forms it: arn:aws:iam::ACCOUNT:u2f/user/USER/NAME-ID. */
export const newFidoSerial = (accountId: string, userName: string, name: string) =>
  fidoSerial(accountId, userName, name, toBase32(randomBytes(16)).slice(0, 26));

/**
 * Registers a FIDO security key for a user the way the AWS console does (the API refuses FIDO keys).
 * Returns the new device's serial.
 */
export async function registerFidoKey(options: ConsoleTarget & { userName: string; name: string; certifications?: Record<string, string> }): Promise<string> {
  const iam = await consoleIam(options);
  try {
    const serial = newFidoSerial(options.accountId, options.userName, options.name);
    // The console proves possession with WebAuthn, not codes; the API shape still wants two.
    await iam.send(
      withCertifications(new EnableMFADeviceCommand({ UserName: options.userName, SerialNumber: serial, AuthenticationCode1: '000000', AuthenticationCode2: '000000' }), options.certifications),
    );
    await emitConsoleCall(options, 'EnableMFADevice', { userName: options.userName, serialNumber: serial });
    return serial;
  } finally {
    iam.destroy();
  }
}
