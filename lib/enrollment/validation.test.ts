import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { codePairSchema, defaultDeviceName, deviceNameSchema, hardwareSerialSchema, otpCodeSchema } from './validation';

describe('device names', () => {
  it('accepts AWS name characters and trims', () => {
    expect(deviceNameSchema.parse('  alice-phone ')).toBe('alice-phone');
    expect(deviceNameSchema.parse('a_b+c=d,e.f@g-h')).toBe('a_b+c=d,e.f@g-h');
  });
  it('rejects spaces, slashes, empty and long names with a message', () => {
    for (const bad of ['my phone', 'a/b', '', 'x'.repeat(65), 'é']) {
      const r = deviceNameSchema.safeParse(bad);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message.length).toBeGreaterThan(10);
    }
  });
  it('accepts every string of allowed characters up to 64 (property)', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_+=,.@-]{1,64}$/), (name) => {
      expect(deviceNameSchema.safeParse(name).success).toBe(true);
    }));
  });
  it('never accepts whitespace inside a name (property)', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ minLength: 1, maxLength: 20 }), (a, b) => {
      const name = `${a.trim() || 'a'} ${b.trim() || 'b'}`;
      expect(deviceNameSchema.safeParse(name).success).toBe(false);
    }));
  });
  it('builds a default that avoids taken names and is itself valid', () => {
    expect(defaultDeviceName('alice')).toBe('alice-app');
    expect(defaultDeviceName('alice', ['alice-app', 'alice-app-2'])).toBe('alice-app-3');
    fc.assert(fc.property(fc.stringMatching(/^[\w+=,.@-]{1,64}$/), (user) => {
      expect(deviceNameSchema.safeParse(defaultDeviceName(user)).success).toBe(true);
    }));
  });
});

describe('hardware serials', () => {
  it('accepts vendor serials and upper-cases them', () => {
    expect(hardwareSerialSchema.parse(' gaht12345678 ')).toBe('GAHT12345678');
  });
  it('rejects short, spaced and ARN serials', () => {
    expect(hardwareSerialSchema.safeParse('GAHT123').success).toBe(false);
    expect(hardwareSerialSchema.safeParse('GAHT 12345678').success).toBe(false);
    expect(hardwareSerialSchema.safeParse('arn:aws:iam::111111111111:mfa/x').error?.issues[0]?.message).toMatch(/not an ARN/);
  });
  it('accepts all 9-256 character serials of allowed characters that are not ARNs (property)', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Z0-9]{9,40}$/), (s) => {
      expect(hardwareSerialSchema.safeParse(s).success).toBe(true);
    }));
  });
});

describe('codes', () => {
  it('accepts exactly six digits', () => {
    expect(otpCodeSchema.safeParse('012345').success).toBe(true);
    for (const bad of ['12345', '1234567', '12345a', '', ' 1 2 3 4 5 6'.replace(/ /g, ' ') + 'x']) expect(otpCodeSchema.safeParse(bad).success).toBe(false);
  });
  it('refuses the same code twice', () => {
    expect(codePairSchema.safeParse({ code1: '123456', code2: '123456' }).error?.issues[0]?.path).toEqual(['code2']);
  });
  it('rejects any non-6-digit string (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(otpCodeSchema.safeParse(s).success).toBe(/^\d{6}$/.test(s.trim()));
    }));
  });
});
