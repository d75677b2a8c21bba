import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The HTTP pieces of the proxy (proxy.ts): AWS-shaped errors, JSON answers, bodies, and the operation a request calls. */

const NAMESPACES: Record<string, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The service a SigV4-signed request is for, from its credential scope. */
const serviceOf = (req: IncomingMessage) => /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];

/** An error in the shape AWS uses for the request's protocol: query XML for IAM/STS, JSON for X-Amz-Target APIs. */
export function sendAwsError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, type: 'Sender' | 'Receiver'): void {
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

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
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
export function actionFromHead(req: IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  const query = new URL(req.url ?? '/', 'http://proxy').searchParams.get('Action');
  return query ?? undefined;
}

export const actionFromBody = (body: Buffer) => new URLSearchParams(body.toString('utf8')).get('Action') ?? undefined;

export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
