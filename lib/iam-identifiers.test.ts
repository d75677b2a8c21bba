import { describe, expect, it } from 'vitest';
import { accountIdField, FIDO_MFA_NAME, IAM_GROUP_NAME, IAM_USER_NAME, parsePrincipalArn, parseUserRef, roleArn, userArn, userNameField, VIRTUAL_MFA_NAME, VIRTUAL_MFA_SERIAL } from './iam-identifiers';

describe('IAM identifiers', () => {
  it('accepts the names IAM accepts and nothing else', () => {
    expect(IAM_USER_NAME.test('alice.smith+ops@example,=_-')).toBe(true);
    expect(IAM_USER_NAME.test('a'.repeat(64))).toBe(true);
    expect(IAM_USER_NAME.test('a'.repeat(65))).toBe(false);
    expect(IAM_USER_NAME.test('alice smith')).toBe(false);
    expect(IAM_USER_NAME.test('')).toBe(false);
    expect(IAM_GROUP_NAME.test('g'.repeat(128))).toBe(true);
    expect(IAM_GROUP_NAME.test('g'.repeat(129))).toBe(false);
  });

  it('gives zod fields with the caller message', () => {
    expect(accountIdField().safeParse('123456789012').success).toBe(true);
    const bad = accountIdField('Choose an account.').safeParse('12345');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('Choose an account.');
    expect(userNameField().safeParse('bob/../x').success).toBe(false);
  });

  it('reads a user reference', () => {
    expect(parseUserRef(' 123456789012/alice ')).toEqual({ accountId: '123456789012', userName: 'alice' });
    expect(parseUserRef('123456789012/')).toBeNull();
    expect(parseUserRef('12345678901/alice')).toBeNull();
    expect(parseUserRef(null)).toBeNull();
  });

  it('builds and reads ARNs', () => {
    expect(userArn('123456789012', 'alice')).toBe('arn:aws:iam::123456789012:user/alice');
    expect(userArn('123456789012', 'alice', '/ops/')).toBe('arn:aws:iam::123456789012:user/ops/alice');
    expect(roleArn('123456789012', 'r')).toBe('arn:aws:iam::123456789012:role/r');
    expect(parsePrincipalArn('arn:aws:iam::123456789012:user/ops/alice')).toEqual({ kind: 'user', accountId: '123456789012', userName: 'alice', path: '/ops/' });
    expect(parsePrincipalArn('arn:aws:sts::123456789012:assumed-role/r/s').kind).toBe('assumed-role');
    expect(parsePrincipalArn('arn:aws:iam::123456789012:root').kind).toBe('root');
    expect(parsePrincipalArn('nonsense').kind).toBe('other');
    expect(VIRTUAL_MFA_NAME.exec('arn:aws-us-gov:iam::123456789012:mfa/mfa-portal/alice/phone')?.[1]).toBe('phone');
    expect(VIRTUAL_MFA_SERIAL.exec('arn:aws:iam::123456789012:mfa/alice-backup')?.[1]).toBe('alice-backup');
    expect(FIDO_MFA_NAME.exec('arn:aws:iam::123456789012:u2f/user/alice/key-ABC')?.[1]).toBe('key-ABC');
    expect(VIRTUAL_MFA_NAME.test('GAHT12345678')).toBe(false);
  });
});
