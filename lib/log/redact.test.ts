import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CENSOR, isSecretKey, scrubText, scrubValue } from './redact';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const seed = () => Array.from(randomBytes(32), (b) => BASE32[b % 32]).join('').replace(/^[A-Z]{4}/, 'Q2Z7');
const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const jwe = `eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..${randomBytes(12).toString('base64url')}.${randomBytes(200).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
const stsToken = randomBytes(300).toString('base64');

describe('scrubText', () => {
  it('censors a Base32 seed in a message, upper or lower case', () => {
    const s = seed();
    expect(scrubText(`enrolled with ${s} today`)).toBe(`enrolled with ${CENSOR} today`);
    expect(scrubText(`key=${s.toLowerCase()}`)).not.toContain(s.toLowerCase());
  });

  it('censors an AWS secret access key, a session JWT/JWE and an STS session token', () => {
    for (const secret of [secretAccessKey, jwe, stsToken]) {
      const out = scrubText(`value: ${secret} end`);
      expect(out).not.toContain(secret);
      expect(out).toContain(CENSOR);
    }
  });

  it('censors a 6-digit code next to a code word, in text and in JSON-like text', () => {
    expect(scrubText('code1=123456 code2=654321')).toBe(`code1=${CENSOR} code2=${CENSOR}`);
    expect(scrubText('{"code": "042042"}')).not.toContain('042042');
    expect(scrubText('OTP 777111 rejected')).not.toContain('777111');
  });

  it('keeps ordinary text: words in capitals, access key ids, account ids, hex digests, durations', () => {
    for (const text of [
      'ACCESSDENIEDEXCEPTION from IAM',
      'access key AKIAIOSFODNN7EXAMPLE signed in',
      'account 222222222222 done in 123456 ms',
      `digest ${'a3f1'.repeat(10)}`,
      'HTTP status code 500',
    ]) {
      expect(scrubText(text)).toBe(text);
    }
  });
});

describe('scrubValue', () => {
  it('censors values under secret keys at any depth and leaves the rest', () => {
    const out = scrubValue({ user: 'alice', nested: { deeper: { SecretAccessKey: 'x', password: 'hunter2', cookie: 'a=b' } }, list: [{ seed: 'S' }] });
    expect(out).toEqual({ user: 'alice', nested: { deeper: { SecretAccessKey: CENSOR, password: CENSOR, cookie: CENSOR } }, list: [{ seed: CENSOR }] });
  });

  it('censors a code that holds digits but keeps an error code', () => {
    expect(scrubValue({ a: { code: '123456' }, b: { code: 123456 }, err: { code: 'ECONNRESET' } })).toEqual({ a: { code: CENSOR }, b: { code: CENSOR }, err: { code: 'ECONNRESET' } });
  });

  it('scrubs secret-looking strings under innocent keys', () => {
    const s = seed();
    expect(JSON.stringify(scrubValue({ detail: `setup key ${s}` }))).not.toContain(s);
  });
});

describe('isSecretKey', () => {
  it('matches the usual spellings and nothing ordinary', () => {
    for (const key of ['secret', 'secret_access_key', 'SessionToken', 'code1', 'AuthenticationCode2', 'Authorization', 'set-cookie', 'password', 'token']) expect(isSecretKey(key), key).toBe(true);
    for (const key of ['userName', 'accountId', 'msg', 'reqId', 'actor']) expect(isSecretKey(key), key).toBe(false);
  });
});
