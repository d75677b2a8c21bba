import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { IamUser } from '@/lib/aws/iam';
import { toMfaDevice, type MfaDevice } from '@/lib/aws/mfa-devices';
import type { VirtualDeviceEntry } from '@/lib/aws/inventory-sources';
import type { Certifications } from '@/lib/device-types';
import { userArn, virtualMfaArn } from '@/lib/iam-identifiers';
import { resolveProgram, type ProgramCategory, type UserDecision } from '@/lib/program/resolve';
import { remediationFor } from './coverage-view';

// Plain fakes for the AWS sources: one random account per run, answered from memory as IAM would answer it.
const A = '111111111111';
const world = {
  users: [] as IamUser[],
  csv: '',
  virtual: [] as VirtualDeviceEntry[],
  devices: new Map<string, MfaDevice[]>(),
  certifications: new Map<string, Certifications>(),
  passwords: new Set<string>(),
};

vi.mock('@/lib/aws/inventory-sources', () => ({
  accountUserPages: async function* () { for (let i = 0; i < world.users.length; i += 3) yield world.users.slice(i, i + 3); },
  readCredentialReport: async () => ({ csv: world.csv, generatedAt: new Date('2026-01-01T00:00:00Z') }),
  listVirtualDevices: async () => world.virtual,
}));
vi.mock('@/lib/aws/iam', () => ({
  getAccountAlias: async () => null,
  listMfaDevices: async (_a: string, userName: string) => world.devices.get(userName) ?? [],
  hasConsoleAccess: async (_a: string, userName: string) => world.passwords.has(userName),
  getFidoCertifications: async (_a: string, _u: string, serial: string) => {
    if (!serial.includes(':u2f/')) throw new Error('GetMFADevice accepts only FIDO serials');
    return world.certifications.get(serial) ?? {};
  },
}));

const { collectAccount } = await import('./collect');

const NOW = new Date('2026-01-05T00:00:00Z');
/** After every expiry the generator uses: the verdicts must also agree once exceptions have lapsed. */
const LATER = new Date('2028-01-05T00:00:00Z');
const DAY = 86_400_000;

const CERTS: (Certifications | undefined)[] = [undefined, {}, { FIDO: 'L1' }, { 'FIPS-140-3': 'L2' }];

const arbUser = fc.record({
  console: fc.boolean(),
  /** Created after the credential report: not in it (live console check and device list). */
  late: fc.boolean(),
  groups: fc.subarray(['operators', 'dev']),
  team: fc.constantFrom(null, 'a', 'b'),
  path: fc.constantFrom('/', '/admins/'),
  virtual: fc.nat(2),
  hardware: fc.nat(2),
  fido: fc.array(fc.nat(CERTS.length - 1), { maxLength: 2 }),
  serviceName: fc.boolean(),
  usedDaysAgo: fc.constantFrom(null, 5, 400),
  keyUsedDaysAgo: fc.constantFrom(null, 5),
});

const arbExpiry = fc.constantFrom(null, -1, 30, 300);

const arbCategory = fc.record({
  selector: fc.oneof(
    fc.record({ selectorKind: fc.constant('group' as const), selectorKey: fc.constant(null), selectorValue: fc.constantFrom('operators', 'dev') }),
    fc.record({ selectorKind: fc.constant('tag' as const), selectorKey: fc.constant('Team'), selectorValue: fc.constantFrom('a', 'b') }),
    fc.record({ selectorKind: fc.constant('path' as const), selectorKey: fc.constant(null), selectorValue: fc.constantFrom('/', '/admins/') }),
    fc.record({ selectorKind: fc.constant('account' as const), selectorKey: fc.constant(null), selectorValue: fc.constant(A) }),
  ),
  position: fc.nat(4),
  defaultDecision: fc.constantFrom('required' as const, 'required' as const, 'exception' as const, 'out-of-scope' as const),
  expiresInDays: arbExpiry,
  allowed: fc.subarray(['virtual', 'hardware', 'fido'] as const, { minLength: 1 }),
  minDevices: fc.integer({ min: 1, max: 3 }),
  requireCertifiedKey: fc.boolean(),
});

const arbDecision = fc.option(
  fc.record({
    override: fc.option(fc.nat(5)),
    decision: fc.option(fc.constantFrom('required' as const, 'exception' as const, 'out-of-scope' as const)),
    expiresInDays: arbExpiry,
  }),
  { freq: 3 },
);

const header = 'user,arn,user_creation_time,password_enabled,password_last_used,mfa_active,access_key_1_last_used_date,access_key_2_last_used_date';
const iso = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * DAY).toISOString().replace('.000Z', '+00:00');

type UserSpec = fc.Arbitrary<typeof arbUser extends fc.Arbitrary<infer T> ? T : never> extends fc.Arbitrary<infer U> ? U : never;

function buildWorld(specs: UserSpec[]) {
  world.users = [];
  world.virtual = [];
  world.devices = new Map();
  world.certifications = new Map();
  world.passwords = new Set();
  const lines = [header, `<root_account>,arn:aws:iam::${A}:root,N/A,not_supported,N/A,true,N/A,N/A`];
  specs.forEach((s, i) => {
    const userName = s.serviceName ? `svc-deploy-${i}` : `user-${i}`;
    world.users.push({
      accountId: A, userName, arn: userArn(A, userName, s.path), path: s.path, createdAt: '2024-01-01T00:00:00.000Z',
      tags: s.team ? { Team: s.team } : {}, groups: s.groups,
    });
    const devices: MfaDevice[] = [];
    for (let k = 0; k < s.virtual; k++) {
      const serial = virtualMfaArn(A, `${userName}-${k}`);
      devices.push(toMfaDevice(serial, '2025-01-01T00:00:00Z'));
      world.virtual.push({ serial, userName, enabledAt: new Date('2025-01-01T00:00:00Z') });
    }
    for (let k = 0; k < s.hardware; k++) devices.push(toMfaDevice(`GAHT${String(i).padStart(4, '0')}${k}`, '2025-01-01T00:00:00Z'));
    s.fido.forEach((c, k) => {
      const serial = `arn:aws:iam::${A}:u2f/user/${userName}/key${k}-ABCDEFGHIJ`;
      devices.push(toMfaDevice(serial, '2025-01-01T00:00:00Z'));
      const certs = CERTS[c];
      if (certs) world.certifications.set(serial, certs);
    });
    world.devices.set(userName, devices);
    if (s.console) world.passwords.add(userName);
    if (s.late) return;
    const used = s.console ? (s.usedDaysAgo === null ? 'no_information' : iso(s.usedDaysAgo)) : 'not_supported';
    const key = s.keyUsedDaysAgo === null ? 'N/A' : iso(s.keyUsedDaysAgo);
    lines.push(`${userName},${userArn(A, userName, s.path)},2024-01-01T00:00:00+00:00,${s.console},${used},${devices.length > 0},${key},N/A`);
  });
  world.csv = lines.join('\n');
}

const days = (n: number | null) => (n === null ? null : new Date(NOW.getTime() + n * DAY));

/** What a person reads for one user: the status, the gap and the remediation, at time `at`. */
function verdicts(inv: Awaited<ReturnType<typeof collectAccount>>, categories: ProgramCategory[], decisions: Map<string, UserDecision>, at: Date) {
  return inv.users.map((u) => {
    const s = resolveProgram(u, categories, decisions.get(u.userName) ?? null, at);
    const status = !u.consoleAccess
      ? 'no-console'
      : s.decision === 'out-of-scope'
        ? 'out-of-scope'
        : s.decision === 'exception' && !s.exceptionExpired
          ? 'exception'
          : s.compliant
            ? 'compliant'
            : 'gap';
    return { user: u.userName, status, gap: s.programGap, remediation: remediationFor({ ...u, ...s }) };
  });
}

describe('default mode and exact mode', () => {
  it('give the same verdict, gap and remediation for every user, on random organisations and programs (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(arbUser, arbDecision), { minLength: 1, maxLength: 20 }),
        fc.array(arbCategory, { maxLength: 4 }),
        async (users, cats) => {
          buildWorld(users.map(([u]) => u));
          const categories: ProgramCategory[] = cats.map((c, i) => ({
            id: i + 1, name: `c${i}`, position: c.position, ...c.selector, defaultDecision: c.defaultDecision,
            allowedDeviceTypes: [...c.allowed], minDevices: c.minDevices, requireCertifiedKey: c.requireCertifiedKey,
            deadline: NOW, cohort: `c${i}`, reason: c.defaultDecision === 'required' ? null : 'a reason', approver: null,
            expiresAt: c.defaultDecision === 'exception' ? days(c.expiresInDays) : null,
          }));
          const decisions = new Map<string, UserDecision>();
          users.forEach(([, d], i) => {
            if (!d) return;
            decisions.set(world.users[i]!.userName, {
              categoryId: d.override !== null && categories.length ? categories[d.override % categories.length]!.id : null,
              decision: d.decision, reason: d.decision ? 'a reason' : null, approver: null,
              expiresAt: d.decision === 'exception' ? days(d.expiresInDays) : null,
            });
          });
          const program = { categories, decisions };
          const cheap = await collectAccount(A, { now: NOW, program });
          const exact = await collectAccount(A, { now: NOW, program, listAllDevices: true });
          for (const at of [NOW, LATER]) expect(verdicts(cheap, categories, decisions, at)).toEqual(verdicts(exact, categories, decisions, at));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('differ where the cheap path is allowed to: a device list no verdict depends on', async () => {
    // Guards the property above against a vacuous pass: with no program the cheap path really skips a device.
    buildWorld([{ console: true, late: false, groups: [], team: null, path: '/', virtual: 1, hardware: 1, fido: [], serviceName: false, usedDaysAgo: 5, keyUsedDaysAgo: null }]);
    const program = { categories: [], decisions: new Map() };
    const cheap = await collectAccount(A, { now: NOW, program });
    const exact = await collectAccount(A, { now: NOW, program, listAllDevices: true });
    expect(cheap.users[0]!.devices.map((d) => d.type)).toEqual(['virtual']);
    expect(exact.users[0]!.devices.map((d) => d.type).sort()).toEqual(['hardware', 'virtual']);
    expect(verdicts(cheap, [], new Map(), NOW)).toEqual(verdicts(exact, [], new Map(), NOW));
  });
});
