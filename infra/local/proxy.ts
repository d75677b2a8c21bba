import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The AWS endpoint of the local stack: a streaming HTTP pass-through to moto (moto_fidelity.py does the IAM/STS
 * checks) that can inject faults for reliability tests. Faults are set in-process (setFaults) or over HTTP:
 *   POST   {url}/_local/faults   JSON: a rule, an array of rules, or { "rules": [...] } (replaces the active rules)
 *   GET    {url}/_local/faults   the active rules with their remaining counts
 *   DELETE {url}/_local/faults   removes every rule
 *   POST   {url}/_local/console-sign-in   JSON { accountId, userName }: records a console sign-in now (the credential
 *          report's password_last_used), as AWS does when the person signs in to the console with their password
 * Requests carrying X-Local-Console are refused: that header is moto's console backdoor, for direct callers only.
 */

export type FaultKind = 'throttle' | '5xx' | 'latency';

export type FaultRule = {
  /** The operation name (`Action` of a query request, the part after the dot of `X-Amz-Target`), or '*'. */
  action: string;
  kind: FaultKind;
  /** How many matching requests the rule affects (default 1, at most 1000); then it is gone. */
  times?: number;
  /** For 'latency': the delay in ms before the request is passed on (default 1000, at most 60000). */
  latencyMs?: number;
  /** For '5xx': 503 ServiceUnavailable (default) or 500 InternalFailure. */
  status?: 500 | 503;
};

export type ActiveFault = Required<Pick<FaultRule, 'action' | 'kind' | 'times'>> & Pick<FaultRule, 'latencyMs' | 'status'>;

export type LocalProxy = {
  url: string;
  /** Replaces the active fault rules. */
  setFaults(rules: FaultRule | FaultRule[]): void;
  clearFaults(): void;
  /** The active rules with their remaining counts. */
  faults(): ActiveFault[];
  stop(): Promise<void>;
};

export type StartProxyOptions = { upstream: string; port?: number };

export const FAULTS_PATH = '/_local/faults';
export const CONSOLE_SIGN_IN_PATH = '/_local/console-sign-in';
/** moto_fidelity.py's endpoint for the dates only time and people produce (creation, console sign-in). */
export const USER_ACTIVITY_PATH = '/moto-api/fidelity/user-activity';
export const CONSOLE_HEADER = 'x-local-console';
const MAX_TIMES = 1000;
const MAX_LATENCY_MS = 60_000;
const MAX_BUFFERED_BODY = 8 * 1024 * 1024;

const NAMESPACES: Record<string, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

/** Checks and normalises rules; throws a message meant for whoever sent them. */
export function parseFaultRules(input: unknown): ActiveFault[] {
  const list = Array.isArray(input)
    ? input
    : input !== null && typeof input === 'object' && 'rules' in input
      ? (input as { rules: unknown }).rules
      : [input];
  if (!Array.isArray(list)) throw new Error('rules must be an array');
  return list.map((raw, i) => {
    if (raw === null || typeof raw !== 'object') throw new Error(`rule ${i}: not an object`);
    const rule = raw as Record<string, unknown>;
    const { action, kind } = rule;
    if (typeof action !== 'string' || !/^(\*|[A-Za-z0-9]+)$/.test(action)) throw new Error(`rule ${i}: action must be an operation name or '*'`);
    if (kind !== 'throttle' && kind !== '5xx' && kind !== 'latency') throw new Error(`rule ${i}: kind must be throttle, 5xx or latency`);
    const times = rule.times ?? 1;
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1 || times > MAX_TIMES) {
      throw new Error(`rule ${i}: times must be an integer from 1 to ${MAX_TIMES}`);
    }
    const fault: ActiveFault = { action, kind, times };
    if (kind === 'latency') {
      const latencyMs = rule.latencyMs ?? 1000;
      if (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > MAX_LATENCY_MS) {
        throw new Error(`rule ${i}: latencyMs must be a number from 0 to ${MAX_LATENCY_MS}`);
      }
      fault.latencyMs = latencyMs;
    }
    if (kind === '5xx') {
      const status = rule.status ?? 503;
      if (status !== 500 && status !== 503) throw new Error(`rule ${i}: status must be 500 or 503`);
      fault.status = status;
    }
    return fault;
  });
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The service a SigV4-signed request is for, from its credential scope. */
const serviceOf = (req: IncomingMessage) => /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];

/** An error in the shape AWS uses for the request's protocol: query XML for IAM/STS, JSON for X-Amz-Target APIs. */
function sendAwsError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, type: 'Sender' | 'Receiver'): void {
  const requestId = randomUUID();
  if (req.headers['x-amz-target']) {
    const body = JSON.stringify({ __type: code, message });
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  const ns = NAMESPACES[serviceOf(req) ?? ''] ?? NAMESPACES.iam;
  const body =
    `<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The operation a request calls, if it can be told without reading the body. */
function actionFromHead(req: IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  const query = new URL(req.url ?? '/', 'http://proxy').searchParams.get('Action');
  return query ?? undefined;
}

const actionFromBody = (body: Buffer) => new URLSearchParams(body.toString('utf8')).get('Action') ?? undefined;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export async function startProxy(options: StartProxyOptions): Promise<LocalProxy> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let rules: ActiveFault[] = [];
  const timers = new Set<NodeJS.Timeout>();

  /** The first rule for this action, consumed by one; undefined when none applies. */
  const takeFault = (action: string | undefined): ActiveFault | undefined => {
    const index = rules.findIndex((r) => r.action === '*' || r.action === action);
    if (index < 0) return undefined;
    const rule = rules[index] as ActiveFault;
    rule.times -= 1;
    if (rule.times <= 0) rules.splice(index, 1);
    return { ...rule };
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined) => {
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
        const out: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, out);
        incoming.pipe(res);
        incoming.once('error', () => res.destroy());
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

  const handleConsoleSignIn = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
    let input: { accountId?: unknown; userName?: unknown };
    try {
      input = JSON.parse((await readBody(req, 4096)).toString('utf8')) as typeof input;
    } catch {
      return sendJson(res, 400, { error: 'the body must be JSON: { "accountId", "userName" }' });
    }
    const { accountId, userName } = input ?? {};
    if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId) || typeof userName !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(userName)) {
      return sendJson(res, 400, { error: 'accountId (12 digits) and userName (an IAM user name) are required' });
    }
    const answer = await fetch(new URL(USER_ACTIVITY_PATH, upstream), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId, userName, passwordLastUsed: 'now' }),
    });
    return sendJson(res, answer.status, await answer.json());
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === FAULTS_PATH) return handleFaultsApi(req, res);
    if (path === CONSOLE_SIGN_IN_PATH) return handleConsoleSignIn(req, res);
    if (req.headers[CONSOLE_HEADER] !== undefined) {
      return sendAwsError(req, res, 403, 'AccessDenied', 'The X-Local-Console header is accepted only by moto itself, never through the AWS endpoint.', 'Sender');
    }
    if (rules.length === 0 || path?.startsWith('/moto-api')) return forward(req, res, undefined);

    let action = actionFromHead(req);
    let body: Buffer | undefined;
    if (action === undefined) {
      body = await readBody(req, MAX_BUFFERED_BODY);
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
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, fault.latencyMs);
        timers.add(timer);
        res.once('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
          resolve();
        });
      });
      if (res.destroyed) return undefined;
    }
    return forward(req, res, body);
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
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        rules = [];
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return stopping;
    },
  };
}
