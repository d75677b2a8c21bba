import type { IncomingMessage } from 'node:http';
import { iamCallEnvelope, type Envelope } from '@/lib/events/envelope';
import { IAM_EVENT_NAMES } from '@/lib/events/parse';

/**
 * What EventBridge does in AWS, for the local stack: each IAM call the proxy passes that succeeded and that the
 * portal's EventBridge rule matches becomes a CloudTrail-shaped envelope on the portal's queue. moto's side
 * (fidelity_moto_api.py iam_event_endpoint) fills in the account and caller from the signing key, which only moto
 * can resolve, and queues it.
 */

export const IAM_EVENT_PATH = '/moto-api/fidelity/iam-event';
const EMITTED = new Set(IAM_EVENT_NAMES);
/** Never in CloudTrail's requestParameters: AWS leaves secrets out. */
const SECRET_PARAMS = new Set(['Password', 'AuthenticationCode1', 'AuthenticationCode2', 'OldPassword', 'NewPassword']);

/** The signing key and service of a SigV4 request: `Credential=AKID/date/region/service/aws4_request`. */
export function signedBy(req: IncomingMessage): { accessKeyId: string; service: string } | undefined {
  const match = /Credential=([^/,\s]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? '');
  return match ? { accessKeyId: match[1]!, service: match[2]! } : undefined;
}

/** Whether the proxy should buffer this request's body to emit an event for it: a signed IAM POST. */
export const mayEmit = (req: IncomingMessage) => req.method === 'POST' && signedBy(req)?.service === 'iam';

const camel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/** CloudTrail's requestParameters for a query-protocol IAM call: camelCase names, tags as [{key, value}], no secrets. */
export function requestParameters(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const tags: { key: string; value: string }[] = [];
  const tagKeys: string[] = [];
  for (const [name, value] of params) {
    if (name === 'Action' || name === 'Version' || SECRET_PARAMS.has(name)) continue;
    const tag = /^Tags\.member\.(\d+)\.(Key|Value)$/.exec(name);
    if (tag) {
      const entry = (tags[Number(tag[1]) - 1] ??= { key: '', value: '' });
      entry[tag[2] === 'Key' ? 'key' : 'value'] = value;
    } else if (/^TagKeys\.member\.\d+$/.test(name)) tagKeys.push(value);
    else if (!name.includes('.')) out[camel(name)] = value;
  }
  if (tags.length > 0) out.tags = tags.filter(Boolean);
  if (tagKeys.length > 0) out.tagKeys = tagKeys;
  return out;
}

/** The envelope for a passed IAM call, or undefined when the rule would not match it. Account and caller come from moto. */
export function envelopeForCall(body: Buffer): Envelope | undefined {
  const params = new URLSearchParams(body.toString('utf8'));
  const action = params.get('Action');
  if (!action || !EMITTED.has(action)) return undefined;
  return iamCallEnvelope({ accountId: '000000000000', eventName: action, requestParameters: requestParameters(params) });
}

/** Queues an envelope through moto's fidelity endpoint; with accessKeyId, moto fills in account and caller. */
export async function publishEnvelope(motoUrl: string | URL, queueUrl: string, envelope: Envelope, accessKeyId?: string): Promise<void> {
  const res = await fetch(new URL(IAM_EVENT_PATH, motoUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ queueUrl, envelope, ...(accessKeyId ? { accessKeyId } : {}) }),
  });
  if (!res.ok) throw new Error(`${IAM_EVENT_PATH}: ${res.status} ${await res.text()}`);
}

/** Queues a message body as given (tests: what the portal does with a malformed message). */
export async function publishRaw(motoUrl: string | URL, queueUrl: string, body: string): Promise<void> {
  const res = await fetch(new URL(IAM_EVENT_PATH, motoUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ queueUrl, body }) });
  if (!res.ok) throw new Error(`${IAM_EVENT_PATH}: ${res.status} ${await res.text()}`);
}
