import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allowedTypesText, matchCategory, resolveProgram, selectorMatches, type ProgramCategory, type ProgramFacts } from './resolve';

const NOW = new Date('2026-11-26T12:00:00Z');
let nextId = 1;
function category(p: Partial<ProgramCategory>): ProgramCategory {
  const id = p.id ?? nextId++;
  return {
    id,
    name: `c${id}`,
    position: id,
    selectorKind: 'group',
    selectorKey: null,
    selectorValue: 'Admins',
    defaultDecision: 'required',
    allowedDeviceTypes: ['virtual', 'hardware', 'fido'],
    minDevices: 1,
    requireCertifiedKey: false,
    deadline: new Date('2027-01-31T17:00:00Z'),
    cohort: `cohort-${id}`,
    reason: null,
    approver: null,
    expiresAt: null,
    ...p,
  };
}
const user = (p: Partial<ProgramFacts> = {}): ProgramFacts => ({ accountId: '111111111111', path: '/', tags: {}, groups: [], consoleAccess: true, devices: [], ...p });

describe('selectors', () => {
  it('group: membership by exact name', () => {
    const c = category({ selectorKind: 'group', selectorValue: 'Admins' });
    expect(selectorMatches(c, user({ groups: ['Dev', 'Admins'] }))).toBe(true);
    expect(selectorMatches(c, user({ groups: ['admins'] }))).toBe(false);
  });
  it('tag: key and value both exact; a missing key never matches, even an empty value', () => {
    const c = category({ selectorKind: 'tag', selectorKey: 'Environment', selectorValue: 'prod' });
    expect(selectorMatches(c, user({ tags: { Environment: 'prod' } }))).toBe(true);
    expect(selectorMatches(c, user({ tags: { Environment: 'Prod' } }))).toBe(false);
    expect(selectorMatches(category({ selectorKind: 'tag', selectorKey: 'Team', selectorValue: '' }), user({ tags: {} }))).toBe(false);
    expect(selectorMatches(category({ selectorKind: 'tag', selectorKey: 'toString', selectorValue: '' }), user({ tags: {} }))).toBe(false);
  });
  it('path: a prefix', () => {
    const c = category({ selectorKind: 'path', selectorValue: '/admins/' });
    expect(selectorMatches(c, user({ path: '/admins/eu/' }))).toBe(true);
    expect(selectorMatches(c, user({ path: '/admin/' }))).toBe(false);
  });
  it('account: the account id', () => {
    expect(selectorMatches(category({ selectorKind: 'account', selectorValue: '222222222222' }), user({ accountId: '222222222222' }))).toBe(true);
    expect(selectorMatches(category({ selectorKind: 'account', selectorValue: '222222222222' }), user())).toBe(false);
  });
});

describe('first match wins, in position order', () => {
  it('takes the lowest position, not the first in the list', () => {
    const a = category({ position: 2, selectorKind: 'account', selectorValue: '111111111111' });
    const b = category({ position: 1, selectorKind: 'group', selectorValue: 'Admins' });
    expect(matchCategory(user({ groups: ['Admins'] }), [a, b])?.id).toBe(b.id);
    expect(matchCategory(user(), [a, b])?.id).toBe(a.id);
  });

  const arbUser = fc.record({
    accountId: fc.constantFrom('111111111111', '222222222222'),
    path: fc.constantFrom('/', '/admins/', '/admins/eu/', '/svc/'),
    tags: fc.dictionary(fc.constantFrom('Environment', 'Team'), fc.constantFrom('prod', 'dev', '')),
    groups: fc.subarray(['Admins', 'Dev', 'Ops']),
    consoleAccess: fc.boolean(),
    devices: fc.array(fc.record({ type: fc.constantFrom('virtual' as const, 'hardware' as const, 'fido' as const) }), { maxLength: 3 }),
  });
  const arbCategory = fc.oneof(
    fc.record({ selectorKind: fc.constant('group' as const), selectorKey: fc.constant(null), selectorValue: fc.constantFrom('Admins', 'Dev', 'Ops') }),
    fc.record({ selectorKind: fc.constant('tag' as const), selectorKey: fc.constantFrom('Environment', 'Team'), selectorValue: fc.constantFrom('prod', 'dev', '') }),
    fc.record({ selectorKind: fc.constant('path' as const), selectorKey: fc.constant(null), selectorValue: fc.constantFrom('/', '/admins/', '/svc/') }),
    fc.record({ selectorKind: fc.constant('account' as const), selectorKey: fc.constant(null), selectorValue: fc.constantFrom('111111111111', '222222222222') }),
  );
  const arbProgram = fc.array(fc.tuple(arbCategory, fc.integer({ min: 0, max: 5 })), { maxLength: 6 }).map((list) => list.map(([c, position], i) => category({ ...c, id: i + 1, position })));

  it('property: the chosen category matches, and no category ordered before it matches', () => {
    fc.assert(
      fc.property(arbUser, arbProgram, (u, cats) => {
        const chosen = matchCategory(u, cats);
        const before = (c: ProgramCategory) => chosen !== null && (c.position < chosen.position || (c.position === chosen.position && c.id < chosen.id));
        if (chosen === null) return cats.every((c) => !selectorMatches(c, u));
        return selectorMatches(chosen, u) && cats.filter(before).every((c) => !selectorMatches(c, u));
      }),
    );
  });

  it('property: the order of the list does not matter, only positions', () => {
    fc.assert(
      fc.property(arbUser, arbProgram, (u, cats) => matchCategory(u, cats)?.id === matchCategory(u, [...cats].reverse())?.id),
    );
  });

  it('property: a user without console access is never in scope, and a compliant user is never a gap', () => {
    fc.assert(
      fc.property(arbUser, arbProgram, (u, cats) => {
        const s = resolveProgram(u, cats, null, NOW);
        if (!u.consoleAccess && s.inScope) return false;
        if (s.compliant && s.programGap !== null) return false;
        return s.programGap === null || s.inScope;
      }),
    );
  });
});

describe('decisions and rules', () => {
  const hardwareOnly = category({ id: 100, position: 1, selectorKind: 'group', selectorValue: 'Admins', allowedDeviceTypes: ['hardware', 'fido'], minDevices: 1 });
  const withBackup = category({ id: 101, position: 2, selectorKind: 'account', selectorValue: '111111111111', minDevices: 2 });

  it('no category: in scope when console, any device, no deadline', () => {
    const s = resolveProgram(user({ devices: [{ type: 'virtual' }] }), [], null, NOW);
    expect(s).toMatchObject({ category: null, categorySource: 'none', decision: 'required', decisionSource: 'default', inScope: true, compliant: true, deadline: null });
  });
  it('a virtual device in a hardware-only category is a gap of type disallowed-type', () => {
    const s = resolveProgram(user({ groups: ['Admins'], devices: [{ type: 'virtual' }] }), [hardwareOnly], null, NOW);
    expect(s).toMatchObject({ inScope: true, compliant: false, programGap: 'disallowed-type', allowedDevices: 0 });
  });
  it('the backup rule needs two allowed devices', () => {
    expect(resolveProgram(user({ devices: [{ type: 'virtual' }] }), [withBackup], null, NOW).programGap).toBe('needs-backup');
    expect(resolveProgram(user({ devices: [{ type: 'virtual' }, { type: 'fido' }] }), [withBackup], null, NOW).compliant).toBe(true);
    expect(resolveProgram(user(), [withBackup], null, NOW).programGap).toBe('no-mfa');
  });
  it('an override wins over the selector', () => {
    const s = resolveProgram(user({ groups: ['Admins'] }), [hardwareOnly, withBackup], { categoryId: withBackup.id, decision: null, reason: null, approver: null, expiresAt: null }, NOW);
    expect(s).toMatchObject({ categorySource: 'override', category: { id: withBackup.id }, minDevices: 2 });
  });
  it('an active exception leaves scope; at its expiry it is a gap again by itself', () => {
    const decision = { categoryId: null, decision: 'exception' as const, reason: 'Break-glass account', approver: 'CISO', expiresAt: new Date('2026-12-01T00:00:00Z') };
    expect(resolveProgram(user(), [], decision, NOW)).toMatchObject({ inScope: false, exceptionExpired: false, programGap: null });
    expect(resolveProgram(user(), [], decision, new Date('2026-12-01T00:00:00Z'))).toMatchObject({ inScope: true, exceptionExpired: true, programGap: 'no-mfa' });
  });
  it('a category default of out of scope carries its reason; a user decision of required overrides it', () => {
    const svc = category({ id: 102, position: 0, selectorKind: 'path', selectorValue: '/svc/', defaultDecision: 'out-of-scope', reason: 'Service users lose their passwords' });
    expect(resolveProgram(user({ path: '/svc/' }), [svc], null, NOW)).toMatchObject({ inScope: false, decision: 'out-of-scope', decisionSource: 'category', decisionReason: 'Service users lose their passwords' });
    expect(resolveProgram(user({ path: '/svc/' }), [svc], { categoryId: null, decision: 'required', reason: null, approver: null, expiresAt: null }, NOW)).toMatchObject({ inScope: true, decisionSource: 'user' });
  });
});

it('lists allowed types in plain words', () => {
  expect(allowedTypesText(['fido', 'hardware'])).toBe('hardware TOTP token, or security key or passkey');
  expect(allowedTypesText(['virtual'])).toBe('authenticator app');
});

describe('certified security keys', () => {
  const keysOnly = category({ selectorKind: 'account', selectorValue: '111111111111', allowedDeviceTypes: ['fido'], requireCertifiedKey: true });
  const resolve = (devices: ProgramFacts['devices'], c = keysOnly) => resolveProgram(user({ devices }), [c], null, NOW);

  it('counts only FIDO devices AWS reports a certification with a level for', () => {
    expect(resolve([{ type: 'fido', certifications: { FIDO: 'L1' } }])).toMatchObject({ compliant: true, programGap: null, allowedDevices: 1, requireCertifiedKey: true });
    expect(resolve([{ type: 'fido', certifications: { 'FIPS-140-3': 'L2' } }])).toMatchObject({ compliant: true });
    // Not read, read with none (a synced passkey), an empty level: not certified.
    for (const certifications of [undefined, null, {}, { FIDO: '' }] as (Record<string, string> | null | undefined)[]) expect(resolve([{ type: 'fido', certifications }])).toMatchObject({ compliant: false, programGap: 'not-certified', allowedDevices: 0 });
  });

  it('orders the gaps: no device, then a wrong type, then no certified key, then a missing backup', () => {
    expect(resolve([]).programGap).toBe('no-mfa');
    expect(resolve([{ type: 'virtual' }]).programGap).toBe('disallowed-type');
    expect(resolve([{ type: 'virtual' }, { type: 'fido', certifications: {} }]).programGap).toBe('not-certified');
    const backup = { ...keysOnly, minDevices: 2 };
    expect(resolve([{ type: 'fido', certifications: { FIDO: 'L2' } }, { type: 'fido', certifications: {} }], backup).programGap).toBe('needs-backup');
  });

  it('without the requirement a certification changes nothing', () => {
    const plain = { ...keysOnly, requireCertifiedKey: false };
    expect(resolve([{ type: 'fido', certifications: {} }], plain)).toMatchObject({ compliant: true, allowedDevices: 1, requireCertifiedKey: false });
  });
});
