import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  ListVirtualMFADevicesCommand,
  paginateListUsers,
  type IAMClient,
  type VirtualMFADevice,
} from '@aws-sdk/client-iam';
import { iamForAccount } from './clients';
import { AwsError, awsCall } from './errors';
import { toIamUser, type IamUser } from './iam';
import { readBody, readUserDetail, readVirtualDevice, takeListMembers } from './lean-listings';

/**
 * The bulk sources of the inventory. Callers get our types; the SDK's stay here.
 * Paging goes through the SDK's paginate* helpers so that later pages keep every parameter, except for the two big
 * listings (accountUserPages, listVirtualDevices): their members are read from the raw response by a middleware on
 * each command (lean-listings.ts), so they page with their own loop, a new command per page with the same input
 * and the Marker of the SDK's output.
 */

export type CallCounts = Record<string, number>;

// One counter per inventory run: the account clients are shared with the rest of the portal, so the
// middleware counts only calls made inside `countCalls()` and attributes them to that run.
const counter = new AsyncLocalStorage<CallCounts>();
const instrumented = new WeakSet<IAMClient>();

function instrument(client: IAMClient): IAMClient {
  if (instrumented.has(client)) return client;
  instrumented.add(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const counts = counter.getStore();
      if (counts) {
        // One count per API call made (each page is one), not per retry attempt.
        const op = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        counts[op] = (counts[op] ?? 0) + 1;
      }
      return next(args);
    },
    { step: 'initialize', name: 'inventoryCallCounter' },
  );
  return client;
}

/** The IAM client for an account, with the call counter attached (idempotent). */
export function countedIam(accountId: string): IAMClient {
  return instrument(iamForAccount(accountId));
}

/** Runs `fn`, adding every IAM call it makes through account clients to `counts`. */
export function countCalls<T>(counts: CallCounts, fn: () => Promise<T>): Promise<T> {
  return counter.run(counts, fn);
}

export type PageOptions = {
  /** MaxItems per page; the service's default when absent. For tests of paging. */
  pageSize?: number;
};

/**
 * Users with path, create date, tags and groups (GetAccountAuthorizationDetails, Filter User), a page at a time: the
 * next page is asked for only when the caller is done with this one, so an account never holds all its users (a
 * page of 1,000 is ~0.4 MB; 10,000 users held at once were ~4 MB per account, times the accounts collected at once).
 */
export async function* accountUserPages(accountId: string, { pageSize }: PageOptions = {}): AsyncGenerator<IamUser[], void, undefined> {
  const client = countedIam(accountId);
  let Marker: string | undefined;
  do {
    const command = new GetAccountAuthorizationDetailsCommand({ Filter: ['User'], ...(pageSize ? { MaxItems: pageSize } : {}), ...(Marker ? { Marker } : {}) });
    const taken = takeListMembers(command, 'GetAccountAuthorizationDetails', 'UserDetailList', readUserDetail);
    const out = await awsCall('iam:GetAccountAuthorizationDetails', () => client.send(command));
    yield (taken.members ?? out.UserDetailList ?? []).map((u) => toIamUser(accountId, u));
    Marker = out.IsTruncated ? out.Marker : undefined;
  } while (Marker);
}

/** User names only (ListUsers): the starting point of a per-user scan, kept for comparison in the benchmark. */
export async function listUserNames(accountId: string, { pageSize }: PageOptions = {}): Promise<string[]> {
  return awsCall('iam:ListUsers', async () => {
    const names: string[] = [];
    const pages = paginateListUsers({ client: countedIam(accountId), ...(pageSize ? { pageSize } : {}) }, {});
    for await (const page of pages) for (const u of page.Users ?? []) if (u.UserName) names.push(u.UserName);
    return names;
  });
}

export type VirtualDeviceEntry = {
  serial: string;
  /** The user it is enabled for; null when unassigned. */
  userName: string | null;
  enabledAt: Date | null;
};

/** Every virtual device of the account, assigned and unassigned. Seeds are never read from a list call. */
export async function listVirtualDevices(accountId: string, { pageSize }: PageOptions = {}): Promise<VirtualDeviceEntry[]> {
  return awsCall('iam:ListVirtualMFADevices', async () => {
    const client = countedIam(accountId);
    const out: VirtualDeviceEntry[] = [];
    let Marker: string | undefined;
    do {
      const command = new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Any', ...(pageSize ? { MaxItems: pageSize } : {}), ...(Marker ? { Marker } : {}) });
      const taken = takeListMembers(command, 'ListVirtualMFADevices', 'VirtualMFADevices', readVirtualDevice);
      const page = await client.send(command);
      for (const d of taken.members ?? page.VirtualMFADevices ?? []) {
        const entry = toVirtualDeviceEntry(d);
        if (entry) out.push(entry);
      }
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return out;
  });
}

export function toVirtualDeviceEntry(d: VirtualMFADevice): VirtualDeviceEntry | null {
  if (!d.SerialNumber) return null;
  return { serial: d.SerialNumber, userName: d.User?.UserName ?? null, enabledAt: d.EnableDate ? new Date(d.EnableDate) : null };
}

export type RawCredentialReport = { csv: string; generatedAt: Date | null };

export type ReportPolling = {
  /** First wait between GenerateCredentialReport calls; doubled each time up to maxDelayMs (with jitter). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this long: the account is then reported as failed, not waited on forever. */
  timeoutMs?: number;
};

/** AWS regenerates the credential report at most this often, so a younger one is as fresh as a new request gets. */
export const REPORT_REUSE_MS = 4 * 3600_000;

/** Whether a report generated at `generatedAt` is young enough to use without asking for a new one. */
export function reportReusable(generatedAt: Date | null, now: number): boolean {
  return generatedAt !== null && now - generatedAt.getTime() < REPORT_REUSE_MS && generatedAt.getTime() <= now + 60_000;
}

// GetCredentialReport's answers when there is no report to read (AWS's codes and the SDK's names): generate one.
const NO_REPORT = new Set([
  'ReportNotPresent', 'ReportExpired', 'ReportInProgress',
  'CredentialReportNotPresentException', 'CredentialReportExpiredException', 'CredentialReportNotReadyException',
]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Equal jitter: at least half the delay, so accounts polling together spread out without ever polling at once. */
const jittered = (ms: number) => ms / 2 + Math.random() * (ms / 2);

/**
 * The account's credential report. An existing report younger than 4 hours is read as it is (one call): a
 * GenerateCredentialReport would only return the same report, and at hundreds of accounts each saved call counts
 * against IAM's per-account throttling. Otherwise GenerateCredentialReport until it is COMPLETE, then
 * GetCredentialReport. The report's own generation time is returned because it may be hours old and the UI must
 * show that age.
 */
export async function readCredentialReport(accountId: string, polling: ReportPolling = {}): Promise<RawCredentialReport> {
  const { initialDelayMs = 500, maxDelayMs = 8_000, timeoutMs = 120_000 } = polling;
  const client = countedIam(accountId);
  const existing = await getReport(client).catch((error: unknown) => {
    if (error instanceof AwsError && NO_REPORT.has(error.awsName)) return null;
    throw error;
  });
  if (existing && reportReusable(existing.generatedAt, Date.now())) return existing;
  const deadline = Date.now() + timeoutMs;
  let delay = initialDelayMs;
  for (;;) {
    const out = await awsCall('iam:GenerateCredentialReport', () => client.send(new GenerateCredentialReportCommand({})));
    if (out.State === 'COMPLETE') break;
    if (Date.now() + delay > deadline) throw new AwsError('ServiceFailure', 'iam:GenerateCredentialReport', 'ReportNotReady');
    await sleep(jittered(delay));
    delay = Math.min(delay * 2, maxDelayMs);
  }
  return getReport(client);
}

async function getReport(client: IAMClient): Promise<RawCredentialReport> {
  const command = new GetCredentialReportCommand({});
  const content = takeReportContent(command);
  const report = await awsCall('iam:GetCredentialReport', () => client.send(command));
  const csv = content.csv ?? (report.Content ? Buffer.from(report.Content).toString('utf8') : '');
  if (!csv) throw new AwsError('ServiceFailure', 'iam:GetCredentialReport', 'EmptyReport');
  return { csv, generatedAt: report.GeneratedTime ? new Date(report.GeneratedTime) : null };
}

type RawResponse = { statusCode?: number; body?: unknown };

/**
 * Takes the report's base64 Content out of the raw XML before the SDK parses it, and hands the SDK the rest.
 * The SDK's XML parser turns a 10,000-user report (a few MB of base64 in one text node) into ~100 MB of
 * short-lived strings, which alone raised the collection's peak memory by a third. Only successful responses
 * are touched; errors and anything unexpected go to the SDK untouched.
 */
function takeReportContent(command: GetCredentialReportCommand): { csv?: string } {
  const taken: { csv?: string } = {};
  command.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const response = out.response as RawResponse;
      if (response?.statusCode !== 200 || !response.body) return out;
      const xml = (await readBody(response.body)).toString('utf8');
      const m = /<Content>([A-Za-z0-9+/=\s]*)<\/Content>/.exec(xml);
      if (m) {
        taken.csv = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64').toString('utf8');
        response.body = Buffer.from(xml.slice(0, m.index) + '<Content></Content>' + xml.slice(m.index + m[0].length));
      } else response.body = Buffer.from(xml);
      return out;
    },
    // Inside the SDK's deserializer (same step, lower priority): we see the raw HTTP response first.
    { step: 'deserialize', priority: 'low', name: 'credentialReportContent' },
  );
  return taken;
}
