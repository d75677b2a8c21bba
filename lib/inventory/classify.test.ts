import { describe, expect, it } from 'vitest';
import { daysAgo, FACTS_NOW, userFacts } from '@/test-support/user-facts';
import fc from 'fast-check';
import { toMfaDevice } from '@/lib/aws/mfa-devices';
import {
  classify,
  DEFAULT_FLAG_RULES,
  DEFAULT_STALE_CONSOLE_DAYS,
  hasServiceTag,
  looksLikeServiceName,
  RECENT_KEY_USE_DAYS,
  type FlagRules,
  type UserFacts,
} from './classify';
import { leftoverOwner } from './collect';
import { flagRulesFrom } from './flag-rules';

const NOW = FACTS_NOW;
const base: UserFacts = userFacts();
const virtual = toMfaDevice('arn:aws:iam::111111111111:mfa/alice-phone', '2025-01-01T00:00:00Z');
const fido = toMfaDevice('arn:aws:iam::111111111111:u2f/user/alice.martin/yubikey-ABC', null);
const hardware = toMfaDevice('GAHT12345678', null);
const marked: FlagRules = flagRulesFrom({
  MFA_STALE_CONSOLE_DAYS: 90,
  MFA_SERVICE_USER_TAGS: ['kind=service', 'automation'],
  MFA_SERVICE_USER_PATHS: ['/service/'],
  MFA_SERVICE_USER_GROUPS: ['robots'],
});
const flags = (f: Partial<UserFacts>, rules: FlagRules = DEFAULT_FLAG_RULES) => classify({ ...base, ...f }, NOW, rules).flags;
const evidence = (f: Partial<UserFacts>, rules: FlagRules = DEFAULT_FLAG_RULES) => classify({ ...base, ...f }, NOW, rules).flagEvidence;

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

  it('flags several devices, with the devices as evidence', () => {
    expect(flags({ devices: [virtual, fido] })).toContain('several-devices');
    expect(evidence({ devices: [virtual, fido] })[0]).toMatchObject({ flag: 'several-devices', facts: '2 devices: virtual, fido' });
    expect(flags({ devices: [virtual] })).not.toContain('several-devices');
  });

  it('a recent sign-in raises no flag', () => {
    expect(flags({})).toEqual([]);
    expect(evidence({})).toEqual([]);
  });

  it('stale console: unused for 90 days or more (the default setting); 89 days is not stale', () => {
    expect(DEFAULT_STALE_CONSOLE_DAYS).toBe(90);
    expect(flags({ passwordLastUsed: daysAgo(89) })).toEqual([]);
    expect(flags({ passwordLastUsed: daysAgo(90) })).toEqual(['stale-console']);
    expect(flags({ passwordLastUsed: daysAgo(91) })).toEqual(['stale-console']);
    // Just under 90 whole days is 89.
    expect(flags({ passwordLastUsed: new Date(daysAgo(90).getTime() + 60_000) })).toEqual([]);
    expect(evidence({ passwordLastUsed: daysAgo(120) })).toEqual([
      {
        flag: 'stale-console',
        rule: 'console password unused for 90 days or more, by a user older than that',
        facts: 'password last used 1 Feb 2026 (120 days before 1 Jun 2026); created 27 Apr 2025 (400 days ago)',
        setting: 'MFA_STALE_CONSOLE_DAYS=90',
        checkedAt: NOW.toISOString(),
      },
    ]);
  });

  it('the stale window is a setting', () => {
    const rules: FlagRules = { ...DEFAULT_FLAG_RULES, staleDays: 30 };
    expect(flags({ passwordLastUsed: daysAgo(29) }, rules)).toEqual([]);
    expect(flags({ passwordLastUsed: daysAgo(30) }, rules)).toEqual(['stale-console']);
    expect(evidence({ passwordLastUsed: daysAgo(30) }, rules)[0]?.setting).toBe('MFA_STALE_CONSOLE_DAYS=30');
  });

  it('a user created within the window who never signed in is "not signed in yet", not stale', () => {
    for (const age of [0, 1, 89]) {
      expect(flags({ passwordLastUsed: null, createdAt: daysAgo(age) })).toEqual(['not-signed-in-yet']);
    }
    // Created minutes ago.
    const fresh = classify({ ...base, passwordLastUsed: null, createdAt: new Date(NOW.getTime() - 5 * 60_000) }, NOW);
    expect(fresh.flags).toEqual(['not-signed-in-yet']);
    expect(fresh.flagEvidence[0]).toMatchObject({
      flag: 'not-signed-in-yet',
      facts: 'created 31 May 2026 (0 days ago); no console sign-in yet; stale from 29 Aug 2026 if still unused',
    });
  });

  it('a user older than the window who never signed in is stale: "never signed in since <created>"', () => {
    expect(flags({ passwordLastUsed: null, createdAt: daysAgo(90) })).toEqual(['stale-console', 'never-signed-in']);
    expect(flags({ passwordLastUsed: null, createdAt: daysAgo(91) })).toEqual(['stale-console', 'never-signed-in']);
    const [stale, never] = evidence({ passwordLastUsed: null, createdAt: daysAgo(400) });
    expect(stale).toMatchObject({ flag: 'stale-console', facts: 'never signed in since its creation on 27 Apr 2025 (400 days ago)' });
    expect(never).toMatchObject({ flag: 'never-signed-in', facts: 'never signed in since 27 Apr 2025' });
  });

  it('an unknown creation date proves no age: never signed in, not stale', () => {
    expect(flags({ passwordLastUsed: null, createdAt: null })).toEqual(['never-signed-in']);
    expect(evidence({ passwordLastUsed: null, createdAt: null })[0]?.facts).toBe('never signed in; creation date unknown');
  });

  it('unknown password use (a live check without a report) raises no usage flag', () => {
    expect(flags({ passwordLastUsed: undefined, createdAt: daysAgo(500) })).toEqual([]);
    expect(classify({ ...base, passwordLastUsed: undefined }, NOW).passwordLastUsed).toBeNull();
  });

  it('service user: only what the organisation marks, by tag (key=value or key), path prefix or group, with the setting as evidence', () => {
    expect(evidence({ tags: { Kind: 'Service' } }, marked)).toEqual([
      {
        flag: 'service-with-console',
        rule: 'marked as a service user by the organisation, and has a console password',
        facts: 'tag Kind=Service; console password enabled',
        setting: 'MFA_SERVICE_USER_TAGS=kind=service',
        checkedAt: NOW.toISOString(),
      },
    ]);
    expect(flags({ tags: { kind: 'human' } }, marked)).toEqual([]);
    expect(evidence({ tags: { automation: 'anything' } }, marked)[0]).toMatchObject({ flag: 'service-with-console', setting: 'MFA_SERVICE_USER_TAGS=automation' });
    expect(evidence({ path: '/service/billing/' }, marked)[0]).toMatchObject({ flag: 'service-with-console', facts: 'path /service/billing/; console password enabled', setting: 'MFA_SERVICE_USER_PATHS=/service/' });
    expect(flags({ path: '/services/' }, marked)).toEqual([]);
    expect(evidence({ groups: ['developers', 'robots'] }, marked)[0]).toMatchObject({ flag: 'service-with-console', setting: 'MFA_SERVICE_USER_GROUPS=robots' });
    // Without a console password there is nothing to remove.
    expect(flags({ consoleAccess: false, groups: ['robots'], passwordLastUsed: null }, marked)).toEqual([]);
    // Marked users are judged stale like anyone else.
    expect(flags({ groups: ['robots'], passwordLastUsed: daysAgo(200) }, marked)).toEqual(['service-with-console', 'stale-console']);
  });

  it('name, tag and key-use patterns only make a candidate, with the reasons', () => {
    expect(flags({ userName: 'svc-billing-sync' })).toEqual(['possible-service-user']);
    expect(evidence({ userName: 'svc-billing-sync' })[0]?.facts).toBe('the name contains "svc"');
    for (const n of ['ci-deploy', 'jenkins-agent', 'terraform-prod', 'jenkinsuser']) expect(flags({ userName: n })).toEqual(['possible-service-user']);
    expect(evidence({ tags: { Kind: 'service' } })[0]).toMatchObject({ flag: 'possible-service-user', facts: 'tagged Kind=service' });
    const keyUse = evidence({ passwordLastUsed: null, createdAt: daysAgo(10), accessKeyLastUsed: daysAgo(3) });
    expect(keyUse.map((e) => e.flag)).toEqual(['possible-service-user', 'not-signed-in-yet']);
    expect(keyUse[0]?.facts).toBe('an access key used on 29 May 2026 while the console password was never used');
    expect(flags({ passwordLastUsed: null, createdAt: daysAgo(10), accessKeyLastUsed: daysAgo(RECENT_KEY_USE_DAYS + 5) })).toEqual(['not-signed-in-yet']);
    expect(evidence({ userName: 'svc-x', tags: { type: 'bot' } })[0]?.facts).toBe('the name contains "svc"; tagged type=bot');
    // A marker wins: a marked user is no longer a mere candidate.
    expect(flags({ userName: 'svc-x', tags: { kind: 'service' } }, marked)).toEqual(['service-with-console']);
    expect(flags({ consoleAccess: false, userName: 'svc-x', passwordLastUsed: null })).toEqual([]);
  });

  it('a human admin with access keys in use (carol) is no service user, not even a candidate, while she signs in', () => {
    const carol = { userName: 'carol', groups: ['mfa-portal-admins', 'operators'], devices: [virtual], accessKeyLastUsed: daysAgo(1), passwordLastUsed: daysAgo(2) };
    expect(flags(carol, marked)).toEqual([]);
    // Had her password never been used, her key use makes her a candidate only: never service-with-console.
    expect(flags({ ...carol, passwordLastUsed: null, createdAt: daysAgo(5) }, marked)).toEqual(['possible-service-user', 'not-signed-in-yet']);
  });

  it('human names are not service names', () => {
    for (const n of ['alice.martin', 'bob', 'r.talbot', 'jean-baptiste', 'carol']) expect(looksLikeServiceName(n)).toBe(false);
    expect(hasServiceTag({ Owner: 'service-team@example.com' })).toBe(false);
    expect(hasServiceTag({ 'service-account': 'true' })).toBe(true);
  });

  it('properties: the state follows the devices; flags need console access (except several-devices); every flag has its evidence', () => {
    const serial = fc.oneof(
      fc.constant('GAHT00000001'),
      fc.stringMatching(/^[a-z]{1,8}$/).map((n) => `arn:aws:iam::111111111111:mfa/${n}`),
      fc.stringMatching(/^[a-z]{1,8}$/).map((n) => `arn:aws:iam::111111111111:u2f/user/u/${n}-X`),
    );
    const date = fc.option(fc.integer({ min: 0, max: 2000 }).map(daysAgo), { nil: null });
    fc.assert(
      fc.property(
        fc.array(serial, { maxLength: 4 }),
        fc.array(serial, { maxLength: 2 }),
        fc.boolean(),
        date,
        date,
        date,
        fc.string(),
        fc.boolean(),
        (serials, left, consoleAccess, pw, key, createdAt, userName, useMarkers) => {
          const out = classify(
            { ...base, userName, consoleAccess, createdAt, passwordLastUsed: pw, accessKeyLastUsed: key, devices: serials.map((s) => toMfaDevice(s, null)), leftoverDevices: left },
            NOW,
            useMarkers ? marked : DEFAULT_FLAG_RULES,
          );
          expect(out.mfaState).toBe(serials.length ? 'enabled' : left.length ? 'leftover-only' : 'none');
          expect(out.flags.includes('several-devices')).toBe(serials.length > 1);
          if (!consoleAccess) expect(out.flags.filter((f) => f !== 'several-devices')).toEqual([]);
          expect(out.flags.includes('stale-console') && out.flags.includes('not-signed-in-yet')).toBe(false);
          expect(out.flags.includes('service-with-console') && out.flags.includes('possible-service-user')).toBe(false);
          // Created within the window: never stale, whatever the usage.
          if (createdAt && NOW.getTime() - createdAt.getTime() < 90 * 86_400_000 && pw === null) expect(out.flags).not.toContain('stale-console');
          expect(new Set(out.flags).size).toBe(out.flags.length);
          expect(out.flagEvidence.map((e) => e.flag)).toEqual(out.flags);
        },
      ),
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
