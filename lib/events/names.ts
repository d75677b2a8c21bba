/**
 * The events the portal acts on, without dependencies: the parser (parse.ts), the local stack's emitter and the CDK
 * member stack's EventBridge rule (infra/aws) all read this one list.
 */
export const API_CALL = 'AWS API Call via CloudTrail';
export const CONSOLE_SIGN_IN = 'AWS Console Sign In via CloudTrail';

/** What an event means for the stored row of its user. */
export type EventEffect =
  /** MFA devices, login profile, tags or groups changed: re-read the user. */
  | 'refresh'
  /** The user may be new: read the whole user (path, tags, groups) live. */
  | 'create'
  /** The user may be gone: remove the row unless AWS still has the user. */
  | 'delete'
  /** UpdateUser: may rename; re-read under the new name and drop the old row. */
  | 'rename'
  /** A console sign-in: evidence, plus a re-read (password_last_used). */
  | 'sign-in';

/** The IAM calls forwarded by the EventBridge rule (infra/aws member stack) and what each does to the stored row. */
export const IAM_EVENT_EFFECTS: Readonly<Record<string, EventEffect>> = {
  CreateVirtualMFADevice: 'refresh',
  EnableMFADevice: 'refresh',
  DeactivateMFADevice: 'refresh',
  DeleteVirtualMFADevice: 'refresh',
  ResyncMFADevice: 'refresh',
  CreateLoginProfile: 'refresh',
  UpdateLoginProfile: 'refresh',
  DeleteLoginProfile: 'refresh',
  CreateUser: 'create',
  DeleteUser: 'delete',
  UpdateUser: 'rename',
  TagUser: 'refresh',
  UntagUser: 'refresh',
  AddUserToGroup: 'refresh',
  RemoveUserFromGroup: 'refresh',
};
export const IAM_EVENT_NAMES = Object.keys(IAM_EVENT_EFFECTS);

/** The portal account's queue of IAM change events and its dead-letter queue (infra/aws portal stack, local stack). */
export const EVENTS_QUEUE_NAME = 'mfa-portal-iam-events';
export const EVENTS_DLQ_NAME = 'mfa-portal-iam-events-dlq';
/** Deliveries before SQS moves a message that keeps failing to the dead-letter queue. */
export const EVENTS_MAX_RECEIVE_COUNT = 3;
