import { describe, expect, it } from 'vitest';
import { API_CALL, CONSOLE_SIGN_IN, MAX_EVENT_BYTES, parseEventMessage } from './parse';
import { consoleLoginEnvelope, iamCallEnvelope } from './envelope';

const ACCOUNT = '111111111111';
const body = (v: unknown) => JSON.stringify(v);

describe('parseEventMessage', () => {
  it('reads an EnableMFADevice call: account, user, effect, time', () => {
    const envelope = iamCallEnvelope({ accountId: ACCOUNT, eventName: 'EnableMFADevice', requestParameters: { userName: 'alice', serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/alice` } });
    const parsed = parseEventMessage(body(envelope));
    expect(parsed).toEqual({
      ok: true,
      event: { eventId: envelope.detail.eventID, eventName: 'EnableMFADevice', effect: 'refresh', accountId: ACCOUNT, userName: 'alice', at: new Date(envelope.detail.eventTime) },
    });
  });

  it.each([
    ['CreateUser', 'create'],
    ['DeleteUser', 'delete'],
    ['TagUser', 'refresh'],
    ['UntagUser', 'refresh'],
    ['DeleteLoginProfile', 'refresh'],
    ['AddUserToGroup', 'refresh'],
  ])('maps %s to %s', (eventName, effect) => {
    const parsed = parseEventMessage(body(iamCallEnvelope({ accountId: ACCOUNT, eventName, requestParameters: { userName: 'bob' } })));
    expect(parsed.ok && parsed.event.effect).toBe(effect);
  });

  it('takes the calling IAM user when a self-service call names none', () => {
    const parsed = parseEventMessage(
      body(iamCallEnvelope({ accountId: ACCOUNT, eventName: 'DeactivateMFADevice', requestParameters: { serialNumber: 'x' }, caller: { type: 'IAMUser', userName: 'carol' } })),
    );
    expect(parsed.ok && parsed.event.userName).toBe('carol');
  });

  it('reads the user of a virtual device from its serial', () => {
    const parsed = parseEventMessage(
      body(iamCallEnvelope({ accountId: ACCOUNT, eventName: 'DeleteVirtualMFADevice', requestParameters: { serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/dave` } })),
    );
    expect(parsed.ok && parsed.event.userName).toBe('dave');
  });

  it('reads UpdateUser with a new name as a rename', () => {
    const parsed = parseEventMessage(body(iamCallEnvelope({ accountId: ACCOUNT, eventName: 'UpdateUser', requestParameters: { userName: 'erin', newUserName: 'erin2' } })));
    expect(parsed.ok && [parsed.event.effect, parsed.event.newUserName]).toEqual(['rename', 'erin2']);
  });

  it('reads a console sign-in of an IAM user with MFAUsed', () => {
    const yes = parseEventMessage(body(consoleLoginEnvelope({ accountId: ACCOUNT, userName: 'alice', mfaUsed: true })));
    const no = parseEventMessage(body(consoleLoginEnvelope({ accountId: ACCOUNT, userName: 'alice', mfaUsed: false })));
    expect(yes.ok && [yes.event.effect, yes.event.mfaUsed, yes.event.userName]).toEqual(['sign-in', true, 'alice']);
    expect(no.ok && no.event.mfaUsed).toBe(false);
  });

  describe('drops, with the reason', () => {
    it('malformed JSON', () => {
      expect(parseEventMessage('{not json')).toMatchObject({ ok: false, reason: 'malformed' });
    });
    it('JSON that is not an envelope', () => {
      expect(parseEventMessage('[1,2]')).toMatchObject({ ok: false, reason: 'malformed' });
      expect(parseEventMessage(body({ 'detail-type': API_CALL }))).toMatchObject({ ok: false, reason: 'malformed' });
    });
    it('an envelope without eventID or with a bad account', () => {
      const envelope = iamCallEnvelope({ accountId: ACCOUNT, eventName: 'TagUser', requestParameters: { userName: 'a' } });
      expect(parseEventMessage(body({ ...envelope, detail: { ...envelope.detail, eventID: undefined } }))).toMatchObject({ reason: 'malformed' });
      expect(parseEventMessage(body({ ...envelope, account: 'x', detail: { ...envelope.detail, recipientAccountId: '12' } }))).toMatchObject({ reason: 'malformed' });
    });
    it('a body larger than any EventBridge event, and an unbounded eventID', () => {
      const envelope = iamCallEnvelope({ accountId: ACCOUNT, eventName: 'TagUser', requestParameters: { userName: 'a', padding: 'x'.repeat(MAX_EVENT_BYTES) } });
      expect(parseEventMessage(body(envelope))).toMatchObject({ reason: 'malformed' });
      const small = iamCallEnvelope({ accountId: ACCOUNT, eventName: 'TagUser', requestParameters: { userName: 'a' } });
      expect(parseEventMessage(body({ ...small, detail: { ...small.detail, eventID: 'e'.repeat(65) } }))).toMatchObject({ reason: 'malformed' });
      expect(parseEventMessage(body({ ...small, detail: { ...small.detail, eventID: "x' or 1=1" } }))).toMatchObject({ reason: 'malformed' });
      expect(parseEventMessage(body(small)).ok).toBe(true);
    });
    it('a drop reason quotes the message on one bounded line', () => {
      const small = iamCallEnvelope({ accountId: ACCOUNT, eventName: 'TagUser', requestParameters: { userName: 'a' } });
      const forged = parseEventMessage(body({ ...small, 'detail-type': `x\n[mfa-portal] forged line ${'y'.repeat(500)}` }));
      expect(forged).toMatchObject({ reason: 'unsupported' });
      expect(!forged.ok && forged.detail).not.toContain('\n');
      expect(!forged.ok && forged.detail.length).toBeLessThan(200);
      expect(parseEventMessage(body({ ...small, detail: { ...small.detail, eventName: `TagUser\nforged` } }))).toMatchObject({ reason: 'malformed' });
    });
    it('a custom event posing as CloudTrail (not from aws.iam or aws.signin), and an event from the future', () => {
      const envelope = iamCallEnvelope({ accountId: ACCOUNT, eventName: 'EnableMFADevice', requestParameters: { userName: 'a' } });
      expect(parseEventMessage(body({ ...envelope, source: 'my.app' }))).toMatchObject({ reason: 'unsupported' });
      const signIn = consoleLoginEnvelope({ accountId: ACCOUNT, userName: 'a', mfaUsed: true });
      expect(parseEventMessage(body({ ...signIn, source: 'aws.iam' }))).toMatchObject({ reason: 'unsupported' });
      const now = new Date('2026-12-05T00:00:00Z');
      const ahead = (minutes: number) => iamCallEnvelope({ accountId: ACCOUNT, eventName: 'TagUser', requestParameters: { userName: 'a' }, at: new Date(now.getTime() + minutes * 60_000) });
      expect(parseEventMessage(body(ahead(10)), now)).toMatchObject({ reason: 'malformed' });
      expect(parseEventMessage(body(ahead(1)), now).ok).toBe(true);
    });
    it('an event whose detail names another account than its envelope, or an envelope without an account', () => {
      const envelope = iamCallEnvelope({ accountId: ACCOUNT, eventName: 'EnableMFADevice', requestParameters: { userName: 'a' } });
      expect(parseEventMessage(body({ ...envelope, account: '222222222222' }))).toMatchObject({ reason: 'malformed' });
      expect(parseEventMessage(body({ ...envelope, account: undefined }))).toMatchObject({ reason: 'malformed' });
      const signIn = consoleLoginEnvelope({ accountId: ACCOUNT, userName: 'a', mfaUsed: true });
      const foreignUser = { ...signIn.detail, userIdentity: { type: 'IAMUser', accountId: '222222222222', userName: 'a' } };
      expect(parseEventMessage(body({ ...signIn, detail: foreignUser }))).toMatchObject({ reason: 'not-iam-user' });
      const selfService = iamCallEnvelope({ accountId: ACCOUNT, eventName: 'DeactivateMFADevice', requestParameters: {}, caller: { type: 'IAMUser', userName: 'c', accountId: '222222222222' } });
      expect(parseEventMessage(body(selfService))).toMatchObject({ reason: 'not-iam-user' });
    });
    it('an IAM call that names no user', () => {
      expect(parseEventMessage(body(iamCallEnvelope({ accountId: ACCOUNT, eventName: 'TagUser', requestParameters: {}, caller: { type: 'AssumedRole' } })))).toMatchObject({
        reason: 'malformed',
      });
    });
    it('an event the portal does not act on', () => {
      expect(parseEventMessage(body(iamCallEnvelope({ accountId: ACCOUNT, eventName: 'CreateRole', requestParameters: { roleName: 'r' } })))).toMatchObject({
        reason: 'unsupported',
      });
      const other = iamCallEnvelope({ accountId: ACCOUNT, eventName: 'TagUser', requestParameters: { userName: 'a' } });
      expect(parseEventMessage(body({ ...other, detail: { ...other.detail, eventSource: 's3.amazonaws.com' } }))).toMatchObject({ reason: 'unsupported' });
    });
    it('a call that failed (errorCode)', () => {
      const envelope = iamCallEnvelope({ accountId: ACCOUNT, eventName: 'EnableMFADevice', requestParameters: { userName: 'a' } });
      expect(parseEventMessage(body({ ...envelope, detail: { ...envelope.detail, errorCode: 'AccessDenied' } }))).toMatchObject({ reason: 'failed-call' });
    });
    it('a failed console sign-in, and a root or role sign-in', () => {
      const ok = consoleLoginEnvelope({ accountId: ACCOUNT, userName: 'a', mfaUsed: true });
      expect(parseEventMessage(body({ ...ok, detail: { ...ok.detail, responseElements: { ConsoleLogin: 'Failure' } } }))).toMatchObject({ reason: 'failed-call' });
      expect(parseEventMessage(body({ ...ok, detail: { ...ok.detail, userIdentity: { type: 'Root', accountId: ACCOUNT } } }))).toMatchObject({ reason: 'not-iam-user' });
      const role = { type: 'AssumedRole', accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/a`, userName: 'a' };
      expect(parseEventMessage(body({ ...ok, detail: { ...ok.detail, userIdentity: role } }))).toMatchObject({ reason: 'not-iam-user' });
      expect(ok['detail-type']).toBe(CONSOLE_SIGN_IN);
    });
  });
});
