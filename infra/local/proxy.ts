import { Agent, createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACCOUNT_ID, IAM_USER_NAME } from '@/lib/iam-identifiers';
import { parseFaultRules, type ActiveFault, type FaultRule } from './proxy-faults';
import { actionFromBody, actionFromHead, HOP_BY_HOP, readBody, sendAwsError, sendJson } from './proxy-http';
import { consoleLoginEnvelope } from '@/lib/events/envelope';
import { envelopeForCall, mayEmit, publishEnvelope, signedBy } from './proxy-events';

/**
 * The AWS endpoint of the local stack: a streaming HTTP pass-through to moto (moto_fidelity.py does the IAM/STS
 * checks) that can inject faults for reliability tests. Faults are set in-process (setFaults) or over HTTP:
 *   POST   {url}/_local/faults   JSON: a rule, an array of rules, or { "rules": [...] } (replaces the active rules)
 *   GET    {url}/_local/faults   the active rules with their remaining counts
 *   DELETE {url}/_local/faults   removes every rule
 *   POST   {url}/_local/latency  JSON { "ms": 100, "mode"?: "added" | "floor" }: until changed, every AWS request is
 *          delayed by that much before it goes to moto ("added", the default), or answered no sooner than that long
 *          after it arrived, moto's own time included ("floor": AWS's round trip of ~ms in all, whatever moto and the
 *          machine add below it); 0 or DELETE turns it off (DELETE also back to "added"); GET answers both
 *   POST   {url}/_local/console-sign-in   JSON { accountId, userName }: records a console sign-in now (the credential
 *          report's password_last_used), as AWS does when the person signs in to the console with their password;
 *          with an event queue set, also emits CloudTrail's ConsoleLogin (MFAUsed: whether the user has an MFA device,
 *          which the console then asks for; `"mfaUsed"` in the body overrides)
 * With an event queue set (setEventQueue; stack.ts does), every IAM mutation the proxy passes that succeeded is
 * emitted to that queue as EventBridge would (proxy-events.ts).
 * Requests carrying X-Local-Console are refused: that header is moto's console backdoor, for direct callers only.
 */

export { parseFaultRules, type ActiveFault, type FaultKind, type FaultRule } from './proxy-faults';

export type LocalProxy = {
  url: string;
  /** Replaces the active fault rules. */
  setFaults(rules: FaultRule | FaultRule[]): void;
  clearFaults(): void;
  /** The active rules with their remaining counts. */
  faults(): ActiveFault[];
  /**
   * Every AWS request (not moto's own API) from now on: delayed by `ms` before it goes upstream ("added", the
   * default), or answered no sooner than `ms` after it arrived ("floor", moto's time included); 0 turns it off.
   */
  setLatency(ms: number, mode?: LatencyMode): void;
  /**
   * AWS requests answered since the proxy started, their summed time from arrival to the end of the answer
   * (`totalMs`, the injected latency included) and the part of it spent upstream in moto (`upstreamMs`). Benchmarks
   * compare the difference over a run with its wall time: how busy the client kept its requests in flight.
   */
  traffic(): Traffic;
  /** The SQS queue (moto's) IAM change events go to; undefined stops emitting. */
  setEventQueue(queueUrl: string | undefined): void;
  stop(): Promise<void>;
};

export type StartProxyOptions = { upstream: string; port?: number };
export type Traffic = { requests: number; totalMs: number; upstreamMs: number };
export type LatencyMode = 'added' | 'floor';

export const FAULTS_PATH = '/_local/faults';
export const LATENCY_PATH = '/_local/latency';
const MAX_LATENCY_MS = 60_000;
export const CONSOLE_SIGN_IN_PATH = '/_local/console-sign-in';
/** moto_fidelity.py's endpoint for the dates only time and people produce (creation, console sign-in). */
export const USER_ACTIVITY_PATH = '/moto-api/fidelity/user-activity';
export const CONSOLE_HEADER = 'x-local-console';
const MAX_BUFFERED_BODY = 8 * 1024 * 1024;

export async function startProxy(options: StartProxyOptions): Promise<LocalProxy> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let rules: ActiveFault[] = [];
  let latencyMs = 0;
  let latencyMode: LatencyMode = 'added';
  const traffic: Traffic = { requests: 0, totalMs: 0, upstreamMs: 0 };
  let eventQueueUrl: string | undefined;
  const publishing = new Set<Promise<void>>();
  /** Emits after the response: the caller is not held up, as CloudTrail and EventBridge deliver later in AWS. */
  const emit = (envelope: Parameters<typeof publishEnvelope>[2], accessKeyId?: string) => {
    if (!eventQueueUrl) return;
    const pending = publishEnvelope(upstream, eventQueueUrl, envelope, accessKeyId)
      .catch((error: unknown) => console.error(`[local proxy] IAM event not emitted: ${(error as Error).message}`))
      .finally(() => publishing.delete(pending));
    publishing.add(pending);
  };
  const timers = new Set<NodeJS.Timeout>();

  /** Waits `ms` before the request goes on; stops waiting when the client goes away. */
  const delay = (ms: number, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
      res.once('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      });
    });

  const checkedLatency = (ms: unknown): number => {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_LATENCY_MS) throw new Error(`ms must be a number from 0 to ${MAX_LATENCY_MS}`);
    return ms;
  };

  /** The first rule for this action, consumed by one; undefined when none applies. */
  const takeFault = (action: string | undefined): ActiveFault | undefined => {
    const index = rules.findIndex((r) => r.action === '*' || r.action === action);
    if (index < 0) return undefined;
    const rule = rules[index] as ActiveFault;
    rule.times -= 1;
    if (rule.times <= 0) rules.splice(index, 1);
    return { ...rule };
  };

  const checkedMode = (mode: unknown): LatencyMode => {
    if (mode !== undefined && mode !== 'added' && mode !== 'floor') throw new Error('mode must be "added" or "floor"');
    return mode ?? 'added';
  };

  /** `holdUntil` (performance.now() time): the answer waits until then (the "floor" latency). */
  type Forwarding = { onSuccess?: () => void; holdUntil?: number; onUpstreamDone?: () => void };
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined, { onSuccess, holdUntil, onUpstreamDone }: Forwarding = {}) => {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      // Host stays as the client sent it: it is part of the SigV4 signature moto checks.
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    if (body !== undefined) headers['content-length'] = body.length;
    else if (req.headers['transfer-encoding']) headers['transfer-encoding'] = req.headers['transfer-encoding'];
    const outgoing = httpRequest(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (incoming) => {
        const status = incoming.statusCode ?? 502;
        const head = () => {
          const out: OutgoingHttpHeaders = {};
          for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
          res.writeHead(status, incoming.statusMessage, out);
        };
        const succeeded = () => {
          if (onSuccess && status >= 200 && status < 300) onSuccess();
        };
        incoming.once('error', () => res.destroy());
        if (holdUntil === undefined) {
          head();
          incoming.pipe(res);
          incoming.once('end', () => {
            onUpstreamDone?.();
            succeeded();
          });
          return;
        }
        // Read moto's whole answer at once (so its time is its own, and its thread is free), send it when it is due.
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.once('end', () => {
          onUpstreamDone?.();
          void delay(Math.max(0, holdUntil - performance.now()), res).then(() => {
            if (res.destroyed) return;
            head();
            res.end(Buffer.concat(chunks));
            succeeded();
          });
        });
      },
    );
    outgoing.once('error', (error) => {
      if (res.headersSent) res.destroy();
      else sendAwsError(req, res, 502, 'ServiceUnavailable', `The local AWS stand-in (moto) did not answer: ${error.message}`, 'Receiver');
    });
    res.once('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    if (body !== undefined) outgoing.end(body);
    else req.pipe(outgoing);
  };

  const handleFaultsApi = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') return sendJson(res, 200, { rules });
    if (req.method === 'DELETE') {
      rules = [];
      return sendJson(res, 200, { rules });
    }
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'use GET, POST or DELETE' });
    try {
      const parsed = parseFaultRules(JSON.parse((await readBody(req, 64 * 1024)).toString('utf8')));
      rules = parsed;
      return sendJson(res, 200, { rules });
    } catch (error) {
      return sendJson(res, 400, { error: (error as Error).message });
    }
  };

  const handleLatencyApi = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'DELETE') {
      latencyMs = 0;
      latencyMode = 'added';
    } else if (req.method === 'POST') {
      try {
        const input = JSON.parse((await readBody(req, 4096)).toString('utf8')) as { ms?: unknown; mode?: unknown } | null;
        const ms = checkedLatency(input?.ms);
        latencyMode = checkedMode(input?.mode);
        latencyMs = ms;
      } catch (error) {
        return sendJson(res, 400, { error: (error as Error).message });
      }
    } else if (req.method !== 'GET') return sendJson(res, 405, { error: 'use GET, POST or DELETE' });
    return sendJson(res, 200, { ms: latencyMs, mode: latencyMode });
  };

  const handleConsoleSignIn = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
    let input: { accountId?: unknown; userName?: unknown };
    try {
      input = JSON.parse((await readBody(req, 4096)).toString('utf8')) as typeof input;
    } catch {
      return sendJson(res, 400, { error: 'the body must be JSON: { "accountId", "userName" }' });
    }
    const { accountId, userName } = input ?? {};
    if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId) || typeof userName !== 'string' || !IAM_USER_NAME.test(userName)) {
      return sendJson(res, 400, { error: 'accountId (12 digits) and userName (an IAM user name) are required' });
    }
    const answer = await fetch(new URL(USER_ACTIVITY_PATH, upstream), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId, userName, passwordLastUsed: 'now' }),
    });
    const recorded = (await answer.json()) as { mfaDevices?: number };
    if (answer.ok) {
      const mfaUsed = typeof (input as { mfaUsed?: unknown }).mfaUsed === 'boolean' ? (input as { mfaUsed: boolean }).mfaUsed : (recorded.mfaDevices ?? 0) > 0;
      emit(consoleLoginEnvelope({ accountId, userName, mfaUsed }));
    }
    return sendJson(res, answer.status, recorded);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === FAULTS_PATH) return handleFaultsApi(req, res);
    if (path === CONSOLE_SIGN_IN_PATH) return handleConsoleSignIn(req, res);
    if (path === LATENCY_PATH) return handleLatencyApi(req, res);
    if (req.headers[CONSOLE_HEADER] !== undefined) {
      return sendAwsError(req, res, 403, 'AccessDenied', 'The X-Local-Console header is accepted only by moto itself, never through the AWS endpoint.', 'Sender');
    }
    const arrived = performance.now();
    let upstreamFrom = arrived;
    let upstreamDone: number | undefined;
    const aws = !path?.startsWith('/moto-api');
    if (aws) {
      res.once('close', () => {
        const now = performance.now();
        traffic.requests++;
        traffic.totalMs += now - arrived;
        traffic.upstreamMs += (upstreamDone ?? now) - upstreamFrom;
      });
    }
    const floor = aws && latencyMs > 0 && latencyMode === 'floor' ? arrived + latencyMs : undefined;
    const forwarding: Forwarding = { holdUntil: floor, onUpstreamDone: () => (upstreamDone = performance.now()) };
    if (aws && latencyMs > 0 && latencyMode === 'added') {
      await delay(latencyMs, res);
      if (res.destroyed) return undefined;
      upstreamFrom = performance.now();
    }
    let body: Buffer | undefined;
    if (eventQueueUrl && mayEmit(req) && aws) {
      body = await readBody(req, MAX_BUFFERED_BODY);
      const envelope = envelopeForCall(body);
      const accessKeyId = signedBy(req)?.accessKeyId;
      if (envelope) forwarding.onSuccess = () => emit(envelope, accessKeyId);
    }
    if (rules.length === 0 || !aws) return forward(req, res, body, forwarding);

    let action = actionFromHead(req);
    if (action === undefined) {
      body ??= await readBody(req, MAX_BUFFERED_BODY);
      action = actionFromBody(body);
    }
    const fault = takeFault(action);
    if (fault?.kind === 'throttle') return sendAwsError(req, res, 400, 'Throttling', 'Rate exceeded', 'Sender');
    if (fault?.kind === '5xx') {
      return fault.status === 500
        ? sendAwsError(req, res, 500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 'Receiver')
        : sendAwsError(req, res, 503, 'ServiceUnavailable', 'Service is unable to handle request.', 'Receiver');
    }
    if (fault?.kind === 'latency') {
      await delay(fault.latencyMs ?? 0, res);
      if (res.destroyed) return undefined;
    }
    return forward(req, res, body, forwarding);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendAwsError(req, res, 500, 'InternalFailure', `local proxy: ${(error as Error).message}`, 'Receiver');
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    setFaults(input) {
      rules = parseFaultRules(input);
    },
    clearFaults() {
      rules = [];
    },
    faults: () => rules.map((r) => ({ ...r })),
    setLatency(ms, mode = 'added') {
      latencyMode = checkedMode(mode);
      latencyMs = checkedLatency(ms);
    },
    traffic: () => ({ ...traffic }),
    setEventQueue(queueUrl) {
      eventQueueUrl = queueUrl;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        rules = [];
        latencyMs = 0;
        latencyMode = 'added';
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => void Promise.allSettled([...publishing]).then(() => resolve()));
        server.closeAllConnections();
        agent.destroy();
      });
      return stopping;
    },
  };
}
