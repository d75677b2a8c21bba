/**
 * CloudTrail events in their EventBridge envelope, shaped as AWS delivers them to an SQS target. The local stack
 * (infra/local/proxy.ts, console.ts) emits these, and tests build them; the portal only reads them (parse.ts).
 */
import { randomUUID } from 'node:crypto';
import { API_CALL, CONSOLE_SIGN_IN } from './parse';

export type Caller = { type: 'IAMUser' | 'AssumedRole' | 'Root'; userName?: string; arn?: string; accountId?: string };

export type Envelope = {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: 'us-east-1';
  resources: string[];
  detail: Record<string, unknown> & { eventID: string; eventTime: string; eventName: string };
};

/** CloudTrail's eventTime: seconds, Z. */
const cloudTrailTime = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;

function envelope(detailType: string, source: string, accountId: string, at: Date, detail: Record<string, unknown> & { eventName: string }): Envelope {
  const time = cloudTrailTime(at);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: accountId,
    time,
    // IAM and the console sign-in of IAM users are global: CloudTrail records them in us-east-1.
    region: 'us-east-1',
    resources: [],
    detail: { eventVersion: '1.08', eventTime: time, awsRegion: 'us-east-1', eventID: randomUUID(), recipientAccountId: accountId, ...detail },
  };
}

const identity = (accountId: string, caller: Caller | undefined) => ({
  type: caller?.type ?? 'AssumedRole',
  accountId: caller?.accountId ?? accountId,
  ...(caller?.arn ? { arn: caller.arn } : {}),
  ...(caller?.userName ? { userName: caller.userName } : {}),
});

/** "AWS API Call via CloudTrail" for an IAM call that succeeded. Secrets (passwords, codes) are never in requestParameters. */
export function iamCallEnvelope(input: { accountId: string; eventName: string; requestParameters: Record<string, unknown>; caller?: Caller; at?: Date }): Envelope {
  return envelope(API_CALL, 'aws.iam', input.accountId, input.at ?? new Date(), {
    eventSource: 'iam.amazonaws.com',
    eventName: input.eventName,
    eventType: 'AwsApiCall',
    userIdentity: identity(input.accountId, input.caller),
    requestParameters: input.requestParameters,
    responseElements: null,
    readOnly: false,
    managementEvent: true,
    eventCategory: 'Management',
  });
}

/** "AWS Console Sign In via CloudTrail": an IAM user's successful ConsoleLogin, with or without MFA. */
export function consoleLoginEnvelope(input: { accountId: string; userName: string; mfaUsed: boolean; at?: Date }): Envelope {
  return envelope(CONSOLE_SIGN_IN, 'aws.signin', input.accountId, input.at ?? new Date(), {
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    eventType: 'AwsConsoleSignIn',
    userIdentity: { type: 'IAMUser', accountId: input.accountId, arn: `arn:aws:iam::${input.accountId}:user/${input.userName}`, userName: input.userName },
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: input.mfaUsed ? 'Yes' : 'No' },
    managementEvent: true,
    eventCategory: 'Management',
  });
}
