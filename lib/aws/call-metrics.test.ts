import { beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { metrics } from '@/lib/ops/metrics';
import { apiName, callOutcome, withCallMetrics } from './call-metrics';
import { AwsError } from './errors';

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const LIST_USERS_OK = `<ListUsersResponse xmlns="${IAM_NS}"><ListUsersResult><IsTruncated>false</IsTruncated><Users/></ListUsersResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></ListUsersResponse>`;
const failure = (code: string) => `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>no</Message></Error><RequestId>r2</RequestId></ErrorResponse>`;

/** An IAM client whose HTTP answers are the given ones, in order (the last repeats). */
function iamAnswering(answers: { status: number; body: string }[]) {
  let n = 0;
  const client = new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAEXAMPLEEXAMPLE00', secretAccessKey: 'not-a-secret' },
    retryMode: 'standard',
    maxAttempts: 3,
    requestHandler: {
      handle: async () => {
        const a = answers[Math.min(n++, answers.length - 1)]!;
        return { response: { statusCode: a.status, reason: '', headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(a.body)]) } };
      },
    },
  });
  return { client: withCallMetrics(client), attempts: () => n };
}

const value = async (name: string, labels: Record<string, string>) => {
  const metric = (await metrics().registry.getMetricsAsJSON()).find((m) => m.name === name);
  const v = metric?.values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value ?? 0;
};

describe('AWS call metrics', () => {
  beforeEach(() => metrics().registry.resetMetrics());

  it('names the API as service:Operation', () => {
    expect(apiName({ clientName: 'IAMClient', commandName: 'ListUsersCommand' })).toBe('iam:ListUsers');
    expect(apiName({ clientName: 'SESv2Client', commandName: 'SendEmailCommand' })).toBe('sesv2:SendEmail');
  });

  it('classifies outcomes by error name, never by message', () => {
    expect(callOutcome()).toBe('success');
    expect(callOutcome(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))).toBe('throttled');
    expect(callOutcome(Object.assign(new Error('x'), { name: 'Whatever', $metadata: { httpStatusCode: 429 } }))).toBe('throttled');
    expect(callOutcome(Object.assign(new Error('Throttling'), { name: 'NoSuchEntityException' }))).toBe('NoSuchEntity');
    expect(callOutcome(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe('Unreachable');
    expect(callOutcome(new AwsError('AccessDenied', 'sts:AssumeRole', 'AccessDenied'))).toBe('AccessDenied');
    expect(callOutcome(new Error('odd'))).toBe('Unknown');
  });

  it('counts a successful call once', async () => {
    const { client } = iamAnswering([{ status: 200, body: LIST_USERS_OK }]);
    await client.send(new ListUsersCommand({}));
    expect(await value('mfa_portal_aws_calls_total', { api: 'iam:ListUsers', outcome: 'success' })).toBe(1);
    expect(await value('mfa_portal_aws_throttles_total', { api: 'iam:ListUsers' })).toBe(0);
  });

  it('counts every throttled attempt, and the call once by its final outcome', async () => {
    const { client, attempts } = iamAnswering([
      { status: 400, body: failure('Throttling') },
      { status: 400, body: failure('Throttling') },
      { status: 200, body: LIST_USERS_OK },
    ]);
    await client.send(new ListUsersCommand({}));
    expect(attempts()).toBe(3);
    expect(await value('mfa_portal_aws_throttles_total', { api: 'iam:ListUsers' })).toBe(2);
    expect(await value('mfa_portal_aws_calls_total', { api: 'iam:ListUsers', outcome: 'success' })).toBe(1);
    expect(await value('mfa_portal_aws_calls_total', { api: 'iam:ListUsers', outcome: 'throttled' })).toBe(0);
  });

  it('counts a call that stays throttled as throttled, and an error by its class', async () => {
    const throttled = iamAnswering([{ status: 400, body: failure('Throttling') }]);
    await expect(throttled.client.send(new ListUsersCommand({}))).rejects.toThrow();
    expect(throttled.attempts()).toBe(3);
    expect(await value('mfa_portal_aws_calls_total', { api: 'iam:ListUsers', outcome: 'throttled' })).toBe(1);
    expect(await value('mfa_portal_aws_throttles_total', { api: 'iam:ListUsers' })).toBe(3);
    const denied = iamAnswering([{ status: 403, body: failure('AccessDenied') }]);
    await expect(denied.client.send(new ListUsersCommand({}))).rejects.toThrow();
    expect(await value('mfa_portal_aws_calls_total', { api: 'iam:ListUsers', outcome: 'AccessDenied' })).toBe(1);
  });

  it('is added wherever lib/aws builds an SDK client', () => {
    const dir = path.dirname(new URL(import.meta.url).pathname);
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const unwrapped = sources.flatMap((f) => {
      const text = readFileSync(path.join(dir, f), 'utf8');
      return [...text.matchAll(/new [A-Z]\w*Client\(/g)].filter((m) => !/withCallMetrics\(\s*$/.test(text.slice(0, m.index))).map(() => f);
    });
    expect(sources.length).toBeGreaterThan(5);
    expect(unwrapped).toEqual([]);
  });
});
