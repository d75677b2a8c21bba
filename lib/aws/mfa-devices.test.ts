import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deviceNameFromSerial, deviceTypeFromSerial, toMfaDevice } from './mfa-devices';

describe('deviceTypeFromSerial', () => {
  it.each([
    ['arn:aws:iam::111111111111:mfa/alice', 'virtual', 'alice'],
    ['arn:aws:iam::111111111111:mfa/engineering/alice-phone', 'virtual', 'alice-phone'],
    ['arn:aws-us-gov:iam::111111111111:mfa/bob', 'virtual', 'bob'],
    ['arn:aws:iam::111111111111:u2f/user/alice/yubikey-ABCDEF1234', 'fido', 'yubikey-ABCDEF1234'],
    ['GAHT12345678', 'hardware', 'GAHT12345678'],
    ['arn:aws:iam::111111111111:user/alice', 'hardware', 'arn:aws:iam::111111111111:user/alice'],
  ] as const)('%s is %s named %s', (serial, type, name) => {
    expect(deviceTypeFromSerial(serial)).toBe(type);
    expect(deviceNameFromSerial(serial)).toBe(name);
  });

  it('treats any non-ARN vendor serial as hardware (property)', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Z0-9]{6,20}$/), (serial) => {
      expect(deviceTypeFromSerial(serial)).toBe('hardware');
    }));
  });

  it('maps enable dates to ISO strings and tolerates missing ones', () => {
    expect(toMfaDevice('GAHT1', new Date('2026-01-02T03:04:05Z')).enabledAt).toBe('2026-01-02T03:04:05.000Z');
    expect(toMfaDevice('GAHT1', undefined).enabledAt).toBeNull();
    expect(toMfaDevice('GAHT1', 'garbage').enabledAt).toBeNull();
  });
});
