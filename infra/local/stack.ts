import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { GroundTruth } from './ground-truth';
import { startIdp, type Idp } from './idp';
import { setMotoAuth, startMoto, type Moto } from './moto';
import { startProxy, type LocalProxy } from './proxy';
import { createEventQueues, type EventQueues } from './events-queue';
import {
  ADMIN_GROUP,
  EMAIL_TAG_KEY,
  DEPLOY_ROLE_EXTERNAL_ID,
  DEPLOY_ROLE_NAME,
  MEMBER_ROLE_EXTERNAL_ID,
  MEMBER_ROLE_NAME,
  SECURITY_ACCOUNT,
  SECURITY_GROUP,
  mfaAccountsSetting,
  serviceUserTagsSetting,
} from './organisation';
import { demoPeople } from './people';
import { defaultRepoRoot, ensureVenv } from './python';
import { DEMO_REMINDER_SENDER, hardwareTokensFile as hardwareTokensFileFor, seedOrganisation } from './seed';

export type StartStackOptions = {
  repoRoot?: string;
  /** Receives ground-truth.json and hardware-tokens.json. */
  dataDir: string;
  /** Where the portal will be served: the IdP's redirect URIs and NEXTAUTH_URL derive from it. */
  portalUrl: string;
  usersPerAccount?: number;
  log?: (line: string) => void;
};

export type LocalStack = {
  /** moto itself (with the fidelity patches): for the console helper and /moto-api, not for the portal. */
  motoUrl: string;
  /** What the portal's AWS clients talk to: the proxy in front of moto (env.AWS_ENDPOINT_URL). */
  awsEndpoint: string;
  /** The proxy's fault injection (also over HTTP at {awsEndpoint}/_local/faults). */
  proxy: Pick<LocalProxy, 'setFaults' | 'clearFaults' | 'faults' | 'setLatency' | 'traffic'>;
  issuer: string;
  groundTruth: GroundTruth;
  groundTruthFile: string;
  /** The hardware token inventory: the secrets of the demo's tokens (assigned and spare), which moto checks codes against. */
  hardwareTokensFile: string;
  /** The IAM change event queue (env.MFA_EVENTS_QUEUE_URL) and its dead-letter queue, in moto's SQS. */
  eventQueues: EventQueues;
  /** Exactly the settings the portal reads, for this stack. */
  env: Record<string, string>;
  /** Settles only if a part of the stack dies on its own: a description for the user. */
  unexpectedExit: Promise<string>;
  /** Stops the IdP, the proxy and moto; safe to call more than once. */
  stop(): Promise<void>;
};

export const OIDC_CLIENT_ID = 'mfa-portal';
const REGION = 'us-east-1';

/** Random per start, URL-safe so the value needs no quoting in an env file. */
const secret = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * Starts moto (with the fidelity patches) and the proxy in front of it, seeds the demo organisation into moto,
 * turns moto's auth on and starts the demo IdP, all on free 127.0.0.1 ports. If any step fails, whatever already
 * started is stopped.
 */
export async function startStack(options: StartStackOptions): Promise<LocalStack> {
  const repoRoot = options.repoRoot ?? defaultRepoRoot;
  const log = options.log ?? (() => {});
  const portalUrl = options.portalUrl.replace(/\/+$/, '');
  const groundTruthFile = join(options.dataDir, 'ground-truth.json');
  const hardwareTokensFile = hardwareTokensFileFor(groundTruthFile);
  let moto: Moto | undefined;
  let proxy: LocalProxy | undefined;
  let idp: Idp | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await idp?.stop();
      await proxy?.stop();
      await moto?.stop();
    })();
    return stopping;
  };

  try {
    await ensureVenv(repoRoot, log);
    moto = await startMoto({ repoRoot, hardwareTokensFile });
    proxy = await startProxy({ upstream: moto.url });
    log(`moto: ${moto.url}; the AWS endpoint (proxy): ${proxy.url}`);
    const started = performance.now();
    const groundTruth = await seedOrganisation({
      endpoint: moto.url,
      publishedEndpoint: proxy.url,
      region: REGION,
      usersPerAccount: options.usersPerAccount,
      outFile: groundTruthFile,
    });
    log(`Seeded ${groundTruth.users.length} IAM users in ${groundTruth.accounts.length} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Before auth is on, moto puts the queues in the account of the key that creates them: the portal's.
    const eventQueues = await createEventQueues(
      { endpoint: moto.url, region: REGION },
      { accessKeyId: groundTruth.portal.accessKeyId, secretAccessKey: groundTruth.portal.secretAccessKey },
    );
    proxy.setEventQueue(eventQueues.queueUrl);
    await setMotoAuth(moto.url, true);

    const clientSecret = secret(32);
    idp = await startIdp({
      clientId: OIDC_CLIENT_ID,
      clientSecret,
      redirectUris: [`${portalUrl}/api/auth/callback/oidc`],
      // The portal's RP-initiated logout returns here (lib/auth/idp-logout.ts postLogoutRedirectUri).
      postLogoutRedirectUris: [`${portalUrl}/signin`, `${portalUrl}/signin?signedOut=1`],
      people: demoPeople,
    });
    log(`Demo IdP: ${idp.issuer}`);

    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: proxy.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: groundTruth.portal.accessKeyId,
      AWS_SECRET_ACCESS_KEY: groundTruth.portal.secretAccessKey,
      MFA_ACCOUNTS: mfaAccountsSetting(),
      MFA_MEMBER_ROLE_NAME: MEMBER_ROLE_NAME,
      MFA_MEMBER_ROLE_EXTERNAL_ID: MEMBER_ROLE_EXTERNAL_ID,
      MFA_DEPLOY_ROLE_NAME: DEPLOY_ROLE_NAME,
      MFA_DEPLOY_ROLE_EXTERNAL_ID: DEPLOY_ROLE_EXTERNAL_ID,
      MFA_EMAIL_TAG_KEY: EMAIL_TAG_KEY,
      MFA_ADMIN_GROUPS: ADMIN_GROUP,
      MFA_SECURITY_GROUPS: SECURITY_GROUP,
      // Several managed accounts: only the Security account's IAM groups grant portal roles (a Development group does not).
      MFA_ROLE_GROUPS_ACCOUNTS: SECURITY_ACCOUNT,
      // The demo organisation marks its automation users with this tag (org-plan.ts).
      MFA_SERVICE_USER_TAGS: serviceUserTagsSetting(),
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID,
      OIDC_CLIENT_SECRET: clientSecret,
      OIDC_ADMIN_GROUPS: ADMIN_GROUP,
      OIDC_SECURITY_GROUPS: SECURITY_GROUP,
      NEXTAUTH_URL: portalUrl,
      NEXTAUTH_SECRET: secret(32),
      // The scheduled-job routes (/api/cron/*) accept only this bearer token.
      MFA_CRON_SECRET: secret(32),
      // /api/metrics answers only this bearer token (and does not exist without it).
      MFA_METRICS_TOKEN: secret(32),
      // Reminder emails go to moto's SES, which keeps them (test-support/ses.ts reads them back).
      MFA_REMINDER_EMAIL_FROM: DEMO_REMINDER_SENDER,
      // The demo organisation has centralized root access (moto has no ListOrganizationsFeatures to ask).
      MFA_ROOT_CREDENTIALS_MANAGEMENT: 'true',
      // The proxy emits each IAM change it passes to this queue, as EventBridge does in AWS (proxy-events.ts).
      MFA_EVENTS_QUEUE_URL: eventQueues.queueUrl,
    };
    const faults = proxy;
    return {
      motoUrl: moto.url,
      awsEndpoint: proxy.url,
      proxy: { setFaults: (rules) => faults.setFaults(rules), clearFaults: () => faults.clearFaults(), faults: () => faults.faults(), setLatency: (ms, mode) => faults.setLatency(ms, mode), traffic: () => faults.traffic() },
      issuer: idp.issuer,
      groundTruth,
      groundTruthFile,
      hardwareTokensFile,
      eventQueues,
      env,
      unexpectedExit: moto.unexpectedExit,
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`The local stack did not start: ${(error as Error).message}`, { cause: error });
  }
}
