import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toMfaDevice } from '@/lib/aws/mfa-devices';
import { classify, hasServiceTag, looksLikeServiceName, RECENT_KEY_USE_DAYS, STALE_CONSOLE_DAYS, type UserFacts } from './classify';
import { leftoverOwner } from './collect';

const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const base: UserFacts = {
  accountId: '111111111111',
  userName: 'alice.martin',
  arn: 'arn:aws:iam::111111111111:user/alice.martin',
  path: '/',
  createdAt: null,
  tags: {},
  groups: [],
  consoleAccess: true,
  passwordLastUsed: daysAgo(1),
  accessKeyLastUsed: null,
  devices: [],
  leftoverDevices: [],
};
const virtual = toMfaDevice('arn:aws:iam::111111111111:mfa/alice-phone', '2025-01-01T00:00:00Z');
const fido = toMfaDevice('arn:aws:iam::111111111111:u2f/user/alice.martin/yubikey-ABC', null);
const hardware = toMfaDevice('GAHT12345678', null);

describe('classify', () => {
  it('mfaState: enabled with a device, leftover-only with only an attributed leftover, else none', () => {
    expect(classify({ ...base, devices: [virtual] }, NOW).mfaState).toBe('enabled');
    expect(classify({ ...base, leftoverDevices: ['arn:aws:iam::111111111111:mfa/alice.martin'] }, NOW).mfaState).toBe('leftover-only');
    expect(classify({ ...base, devices: [hardware], leftoverDevices: ['x'] }, NOW).mfaState).toBe('enabled');
    expect(classify(base, NOW).mfaState).toBe('none');
  });

  it('device types come from the serial', () => {
    expect([virtual, fido, hardware].map((d) => d.type)).toEqual(['virtual', 'fido', 'hardware']);
  });

  it('flags several devices', () => {
    expect(classify({ ...base, devices: [virtual, fido] }, NOW).flags).toContain('several-devices');
    expect(classify({ ...base, devices: [virtual] }, NOW).flags).not.toContain('several-devices');
  });

  it('a recent sign-in raises no flag', () => {
    expect(classify(base, NOW).flags).toEqual([]);
  });

  it('stale console: unused for longer than the threshold, or never used', () => {
    expect(classify({ ...base, passwordLastUsed: daysAgo(STALE_CONSOLE_DAYS + 1) }, NOW).flags).toEqual(['stale-console']);
    expect(classify({ ...base, passwordLastUsed: daysAgo(STALE_CONSOLE_DAYS - 1) }, NOW).flags).toEqual([]);
    expect(classify({ ...base, passwordLastUsed: null }, NOW).flags).toEqual(['stale-console', 'never-signed-in']);
  });

  it('unknown password use (a live check without a report) raises no usage flag', () => {
    expect(classify({ ...base, passwordLastUsed: undefined }, NOW).flags).toEqual([]);
    expect(classify({ ...base, passwordLastUsed: undefined }, NOW).passwordLastUsed).toBeNull();
  });

  it('service with console: by name, by tag, or a never-used password with a recently used key', () => {
    expect(classify({ ...base, userName: 'svc-billing-sync' }, NOW).flags).toContain('service-with-console');
    expect(classify({ ...base, userName: 'ci-deploy' }, NOW).flags).toContain('service-with-console');
    expect(classify({ ...base, userName: 'jenkins-agent' }, NOW).flags).toContain('service-with-console');
    expect(classify({ ...base, userName: 'terraform-prod' }, NOW).flags).toContain('service-with-console');
    expect(classify({ ...base, tags: { Kind: 'service' } }, NOW).flags).toContain('service-with-console');
    expect(classify({ ...base, passwordLastUsed: null, accessKeyLastUsed: daysAgo(3) }, NOW).flags).toContain('service-with-console');
    expect(classify({ ...base, passwordLastUsed: null, accessKeyLastUsed: daysAgo(RECENT_KEY_USE_DAYS + 5) }, NOW).flags).not.toContain('service-with-console');
    // Without a console password there is nothing to flag.
    expect(classify({ ...base, consoleAccess: false, userName: 'svc-x', passwordLastUsed: null }, NOW).flags).toEqual([]);
  });

  it('human names are not service names', () => {
    for (const n of ['alice.martin', 'bob', 'r.talbot', 'jean-baptiste']) expect(looksLikeServiceName(n)).toBe(false);
    expect(hasServiceTag({ Owner: 'service-team@example.com' })).toBe(false);
    expect(hasServiceTag({ 'service-account': 'true' })).toBe(true);
  });

  it('properties: the state follows the devices; flags need console access (except several-devices)', () => {
    const serial = fc.oneof(
      fc.constant('GAHT00000001'),
      fc.stringMatching(/^[a-z]{1,8}$/).map((n) => `arn:aws:iam::111111111111:mfa/${n}`),
      fc.stringMatching(/^[a-z]{1,8}$/).map((n) => `arn:aws:iam::111111111111:u2f/user/u/${n}-X`),
    );
    const date = fc.option(fc.integer({ min: 0, max: 2000 }).map(daysAgo), { nil: null });
    fc.assert(
      fc.property(fc.array(serial, { maxLength: 4 }), fc.array(serial, { maxLength: 2 }), fc.boolean(), date, date, fc.string(), (serials, left, consoleAccess, pw, key, userName) => {
        const out = classify({ ...base, userName, consoleAccess, passwordLastUsed: pw, accessKeyLastUsed: key, devices: serials.map((s) => toMfaDevice(s, null)), leftoverDevices: left }, NOW);
        expect(out.mfaState).toBe(serials.length ? 'enabled' : left.length ? 'leftover-only' : 'none');
        expect(out.flags.includes('several-devices')).toBe(serials.length > 1);
        if (!consoleAccess) expect(out.flags.filter((f) => f !== 'several-devices')).toEqual([]);
        if (out.flags.includes('never-signed-in')) expect(out.flags).toContain('stale-console');
        expect(new Set(out.flags).size).toBe(out.flags.length);
      }),
    );
  });
});

describe('leftoverOwner', () => {
  const users = new Set(['alice', 'bob']);
  it('attributes the console leftover mfa/<user> and the portal path mfa/mfa-portal/<user>/…', () => {
    expect(leftoverOwner('arn:aws:iam::111111111111:mfa/alice', users)).toBe('alice');
    expect(leftoverOwner('arn:aws:iam::111111111111:mfa/mfa-portal/bob/phone-1', users)).toBe('bob');
  });
  it('attributes a suffixed console name to the longest user name it starts with', () => {
    expect(leftoverOwner('arn:aws:iam::111111111111:mfa/alice-backup', users)).toBe('alice');
    const more = new Set(['bob', 'bob-smith']);
    expect(leftoverOwner('arn:aws:iam::111111111111:mfa/bob-smith-phone', more)).toBe('bob-smith');
    expect(leftoverOwner('arn:aws:iam::111111111111:mfa/bob-phone', more)).toBe('bob');
  });
  it('attributes nothing else', () => {
    expect(leftoverOwner('arn:aws:iam::111111111111:mfa/carol', users)).toBeNull();
    expect(leftoverOwner('arn:aws:iam::111111111111:mfa/alicex', users)).toBeNull();
    expect(leftoverOwner('arn:aws:iam::111111111111:mfa/team/alice', users)).toBeNull();
    expect(leftoverOwner('arn:aws:iam::111111111111:mfa/mfa-portal/alice', users)).toBeNull();
    expect(leftoverOwner('GAHT1', users)).toBeNull();
  });
});
