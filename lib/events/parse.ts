/**
 * CloudTrail events as EventBridge delivers them (the SQS message body is the EventBridge envelope), read into the
 * few facts the portal acts on. Pure: no I/O, so every bad kind is unit-tested (parse.test.ts).
 *
 * Field names are CloudTrail's: envelope `detail-type`, `account`, `detail`; detail `eventID`, `eventName`,
 * `eventSource`, `eventTime`, `recipientAccountId`, `userIdentity` ({ type, userName, accountId }),
 * `requestParameters` (camelCase, e.g. userName), `errorCode` (set when the call failed), and for ConsoleLogin
 * `responseElements.ConsoleLogin` ("Success" | "Failure") and `additionalEventData.MFAUsed` ("Yes" | "No").
 */
import { ACCOUNT_ID, IAM_USER_NAME, VIRTUAL_MFA_NAME } from '@/lib/iam-identifiers';

import { API_CALL, CONSOLE_SIGN_IN, IAM_EVENT_EFFECTS } from './names';
import type { EventEffect } from './names';

export { API_CALL, CONSOLE_SIGN_IN, IAM_EVENT_EFFECTS, IAM_EVENT_NAMES, type EventEffect } from './names';

export type IamChangeEvent = {
  eventId: string;
  eventName: string;
  effect: EventEffect;
  accountId: string;
  userName: string;
  /** UpdateUser with NewUserName. */
  newUserName?: string;
  at: Date;
  /** ConsoleLogin only: additionalEventData.MFAUsed === 'Yes'. */
  mfaUsed?: boolean;
};

export type DropReason =
  | 'malformed'
  | 'unsupported'
  | 'failed-call'
  | 'not-iam-user'
  | 'outside-organisation'
  | 'unknown-user'
  | 'replay';

export type ParseResult = { ok: true; event: IamChangeEvent } | { ok: false; reason: DropReason; detail: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const drop = (reason: DropReason, detail: string): ParseResult => ({ ok: false, reason, detail });

/** EventBridge's largest event: a bigger body did not come from the rule, and is not parsed (SQS takes up to 1 MiB). */
export const MAX_EVENT_BYTES = 256 * 1024;
/** CloudTrail's eventID is a UUID; bounded, because it is stored and logged. */
const EVENT_ID = /^[0-9A-Za-z-]{1,64}$/;
const EVENT_NAME = /^[A-Za-z]{1,64}$/;
/** A value of the message as log lines quote it: one line, bounded (the body is not trusted). */
const quoted = (v: unknown) => JSON.stringify(String(v ?? 'none')).slice(0, 80);

/**
 * Virtual MFA device calls name a device, not a user: the serial (or name) of a device IAM created for a user by
 * the console's convention, arn:aws:iam::ACCOUNT:mfa/USER, is the best evidence of whose it is.
 */
function userFromDevice(params: Json): string | undefined {
  const serial = str(params.serialNumber);
  const name = (serial ? VIRTUAL_MFA_NAME.exec(serial)?.[1] : undefined) ?? str(params.virtualMFADeviceName);
  return name && IAM_USER_NAME.test(name) ? name : undefined;
}

/** CloudTrail's clock and ours may differ a little; an event further ahead than this was not written by CloudTrail. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The EventBridge source of each detail type: PutEvents refuses `aws.` sources, so a custom event cannot pose as these. */
const SOURCES: Record<string, string> = { [API_CALL]: 'aws.iam', [CONSOLE_SIGN_IN]: 'aws.signin' };

/** Reads one SQS message body. Never throws: anything unusable is a drop with its reason. */
export function parseEventMessage(body: string, now: Date = new Date()): ParseResult {
  if (Buffer.byteLength(body, 'utf8') > MAX_EVENT_BYTES) return drop('malformed', `the message is larger than an EventBridge event (${MAX_EVENT_BYTES} bytes)`);
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    return drop('malformed', 'the message is not JSON');
  }
  if (!isObject(envelope) || !isObject(envelope.detail)) return drop('malformed', 'no EventBridge envelope with a detail');
  const detail = envelope.detail;
  const detailType = envelope['detail-type'];
  const eventId = str(detail.eventID);
  const eventName = str(detail.eventName);
  const accountId = str(detail.recipientAccountId) ?? str(envelope.account);
  const at = new Date(str(detail.eventTime) ?? str(envelope.time) ?? '');
  if (!eventId || !EVENT_ID.test(eventId) || !eventName || !EVENT_NAME.test(eventName) || !accountId || !ACCOUNT_ID.test(accountId) || Number.isNaN(at.getTime())) {
    return drop('malformed', 'eventID, eventName, eventTime and a 12-digit recipientAccountId are required');
  }
  // EventBridge sets `account` to the account the event came from; a body naming another account in its detail was
  // not written by a rule of that account.
  if (envelope.account !== accountId) return drop('malformed', "the envelope's account and the event's recipientAccountId differ");
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) return drop('malformed', 'the eventTime is in the future');
  const expectedSource = typeof detailType === 'string' ? SOURCES[detailType] : undefined;
  if (expectedSource && envelope.source !== expectedSource) return drop('unsupported', `${quoted(detailType)} from source ${quoted(envelope.source)}, not ${expectedSource}`);
  const identity = isObject(detail.userIdentity) ? detail.userIdentity : {};
  // An IAM user acts only in its own account: one of another account is not a user of this one.
  if (identity.type === 'IAMUser' && identity.accountId !== undefined && identity.accountId !== accountId) {
    return drop('not-iam-user', `an IAM user of account ${quoted(identity.accountId)} in an event of ${accountId}`);
  }
  const base = { eventId, eventName, accountId, at };

  if (detailType === CONSOLE_SIGN_IN) {
    if (eventName !== 'ConsoleLogin' || detail.eventSource !== 'signin.amazonaws.com') return drop('unsupported', `${eventName} is not a console sign-in`);
    const response = isObject(detail.responseElements) ? detail.responseElements : {};
    if (response.ConsoleLogin !== 'Success') return drop('failed-call', 'the console sign-in failed');
    const userName = str(identity.userName);
    // Root and federated (role) sign-ins are not IAM users: nothing of ours to record.
    if (identity.type !== 'IAMUser' || !userName || !IAM_USER_NAME.test(userName)) return drop('not-iam-user', `a ${quoted(identity.type)} sign-in`);
    const extra = isObject(detail.additionalEventData) ? detail.additionalEventData : {};
    return { ok: true, event: { ...base, effect: 'sign-in', userName, mfaUsed: extra.MFAUsed === 'Yes' } };
  }
  if (detailType !== API_CALL || detail.eventSource !== 'iam.amazonaws.com') {
    return drop('unsupported', `${quoted(detailType)} from ${quoted(detail.eventSource)}`);
  }
  const effect = IAM_EVENT_EFFECTS[eventName];
  if (!effect) return drop('unsupported', `${eventName} is not an event the portal acts on`);
  // CloudTrail records refused calls too (errorCode set): they changed nothing.
  if (str(detail.errorCode)) return drop('failed-call', `${eventName} failed with ${quoted(detail.errorCode)}`);
  const params = isObject(detail.requestParameters) ? detail.requestParameters : {};
  // Without userName, IAM acts on the calling IAM user (self-service calls).
  const self = identity.type === 'IAMUser' ? str(identity.userName) : undefined;
  const userName = str(params.userName) ?? (eventName.includes('VirtualMFADevice') ? userFromDevice(params) : undefined) ?? self;
  if (!userName || !IAM_USER_NAME.test(userName)) return drop('malformed', `${eventName} names no IAM user`);
  const newUserName = str(params.newUserName);
  if (newUserName !== undefined && !IAM_USER_NAME.test(newUserName)) return drop('malformed', 'UpdateUser names an invalid new user name');
  return { ok: true, event: { ...base, effect, userName, ...(newUserName ? { newUserName } : {}) } };
}
