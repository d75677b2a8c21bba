import { userArn, virtualMfaArn } from '@/lib/iam-identifiers';
import type { GroundTruthUser, HardwareToken } from './ground-truth';
import { AGENT_TOOLS, FIRST_NAMES, LAST_NAMES, SERVICE_PURPOSES, TEAMS, TEAM_NAMES, type Team } from './names';
import {
  ACCOUNTS,
  EMAIL_TAG_KEY,
  SERVICE_TAG_KEY,
  SERVICE_TAG_VALUE,
  HOSTING_ACCOUNT,
  LOCAL_CONSOLE_USER_NAME,
  PORTAL_USER_NAME,
  type DemoAccount,
} from './organisation';
import { demoIamUsers } from './people';
import { deviceTypesFor, HUMAN_MFA_MIX, mfaStateOf, planDevices, randomBytes, SerialStock } from './org-devices';
import { createRng, type Rng } from './prng';
import { toBase32 } from './totp';

/**
 * The demo organisation as data, before any AWS call: a pure function of its options, so the same
 * options always describe the same users, tags, groups and devices.
 */

export const DEFAULT_PLAN_SEED = 'mfa-portal-demo';
export const SPARE_HARDWARE_TOKENS = 5;

export type PlannedUser = GroundTruthUser & {
  /** Whether the seed creates an access key for the user. */
  accessKey: boolean;
  /** How long before the seed runs the user was created (0: as the seed runs). Relative, so the plan stays pure. */
  createdDaysAgo: number;
  /** How long before the seed runs the user last signed in to the console; null: never (or no console password). */
  passwordLastUsedDaysAgo: number | null;
};

/** Users created within the last weeks: enough that the demo shows "not signed in yet" next to stale users. */
export const RECENTLY_CREATED_SHARE = 0.06;

/**
 * When a user was created and last signed in, as an organisation's history looks: most signed in lately, some
 * months ago (stale), a few never; a few users are new, and the new ones who never signed in are "not signed in
 * yet". From its own stream (forked by account and user name), so the rest of the plan does not move.
 */
export function planActivity(rng: Rng, user: Pick<PlannedUser, 'consoleAccess' | 'passwordNeverUsed'>): Pick<PlannedUser, 'createdDaysAgo' | 'passwordLastUsedDaysAgo'> {
  const recent = rng.chance(user.passwordNeverUsed ? 0.4 : RECENTLY_CREATED_SHARE);
  const createdDaysAgo = recent ? rng.int(0, 20) : rng.int(120, 1500);
  if (!user.consoleAccess || user.passwordNeverUsed) return { createdDaysAgo, passwordLastUsedDaysAgo: null };
  const when = rng.weighted({ lately: 70, weeksAgo: 10, stale: 20 });
  const daysAgo = when === 'lately' ? rng.int(0, 29) : when === 'weeksAgo' ? rng.int(30, 80) : rng.int(100, 400);
  return { createdDaysAgo, passwordLastUsedDaysAgo: Math.min(daysAgo, createdDaysAgo) };
}

export type OrgPlan = { users: PlannedUser[]; hardwareTokens: HardwareToken[] };

export type PlanOptions = {
  /** IAM users per account, counting the fixed ones (portal, break-glass, demo people's). */
  usersPerAccount: number;
  seed?: string;
};

const HUMAN_SHARE = 0.85;
type Person = { first: string; last: string; email: string; userName: string; team: Team };

/**
 * The organisation's staff. Accounts draw from one pool, so many people own a user in more than one
 * account (same email tag, often the same user name), as in a real organisation.
 */
function planPeople(rng: Rng, count: number, reserved: ReadonlySet<string>): Person[] {
  const emails = new Set<string>();
  const userNames = new Set(reserved);
  const people: Person[] = [];
  while (people.length < count) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    let base = `${first}.${last}`;
    // Past a few collisions the pool is saturated for this size: number the name like a directory would.
    for (let n = 2; emails.has(`${base}@example.com`); n++) base = `${first}.${last}${n}`;
    const suffix = base.slice(`${first}.${last}`.length);
    const compact = `${first[0]}${last}${suffix}`;
    const userName = rng.chance(0.2) && !userNames.has(compact) ? compact : base;
    if (userNames.has(userName)) continue;
    emails.add(`${base}@example.com`);
    userNames.add(userName);
    people.push({ first, last, email: `${base}@example.com`, userName, team: rng.pick(TEAM_NAMES) });
  }
  return people;
}

function teamTags(rng: Rng, account: DemoAccount, team: Team): Record<string, string> {
  const tags: Record<string, string> = {
    Environment: rng.pick(account.environments),
    Application: rng.pick(TEAMS[team].apps),
    Owner: team,
  };
  // Real tagging is patchy: some users lack a cost centre.
  if (rng.chance(0.9)) tags.CostCenter = TEAMS[team].costCenter;
  return tags;
}

function humanUser(rng: Rng, account: DemoAccount, person: Person, serials: SerialStock): PlannedUser {
  const path = ['platform', 'data', 'web', 'mobile', 'sre'].includes(person.team) && rng.chance(0.25) ? '/engineering/' : '/';
  const tags = teamTags(rng, account, person.team);
  // A few users were never tagged with an email (the portal cannot map them), a few carry a capitalised one.
  if (rng.chance(0.95)) {
    tags[EMAIL_TAG_KEY] = rng.chance(0.02)
      ? person.email.replace(/^./, (c) => c.toUpperCase()).replace(/\.(\w)/, (_m, c: string) => `.${c.toUpperCase()}`)
      : person.email;
  }
  const groups = (() => {
    const g = rng.weighted({ developers: 45, operators: 15, readonly: 25, both: 5, none: 10 });
    if (g === 'none') return [];
    if (g === 'both') return ['developers', 'operators'];
    return [g];
  })();
  const consoleAccess = rng.chance(0.85);
  const devices = planDevices(rng, account.id, person.userName, deviceTypesFor(rng, rng.weighted(HUMAN_MFA_MIX)), serials);
  const leftovers =
    devices.length === 0
      ? rng.chance(0.15) ? [virtualMfaArn(account.id, person.userName)] : []
      : rng.chance(0.03) ? [virtualMfaArn(account.id, `${person.userName}-backup`)] : [];
  return {
    accountId: account.id,
    userName: person.userName,
    arn: userArn(account.id, person.userName, path),
    path,
    email: tags[EMAIL_TAG_KEY],
    tags,
    groups,
    consoleAccess,
    devices,
    leftoverVirtualDevices: leftovers,
    mfaState: mfaStateOf(devices, leftovers),
    kind: 'human',
    passwordNeverUsed: consoleAccess && rng.chance(0.08),
    accessKey: rng.chance(0.25),
    createdDaysAgo: 0,
    passwordLastUsedDaysAgo: null,
  };
}

function serviceName(rng: Rng, account: DemoAccount, team: Team, taken: Set<string>): string {
  const app = rng.pick(TEAMS[team].apps);
  const shape = rng.weighted({ svc: 60, ci: 20, terraform: 5, agent: 15 });
  const base =
    shape === 'svc'
      ? `svc-${app}-${rng.pick(SERVICE_PURPOSES)}`
      : shape === 'ci'
        ? rng.chance(0.3) ? 'ci-deploy' : `ci-deploy-${app}`
        : shape === 'terraform'
          ? `terraform-${rng.pick(account.environments)}`
          : `${rng.pick(AGENT_TOOLS)}-agent`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
  taken.add(name);
  return name;
}

function serviceUser(rng: Rng, account: DemoAccount, taken: Set<string>, serials: SerialStock): PlannedUser {
  const team = rng.pick(TEAM_NAMES);
  const userName = serviceName(rng, account, team, taken);
  // The organisation's marker for automation (the demo sets MFA_SERVICE_USER_TAGS to it); not drawn, so the plan
  // of everything else stays as it was.
  const tags: Record<string, string> = { ...teamTags(rng, account, team), [SERVICE_TAG_KEY]: SERVICE_TAG_VALUE };
  // Some service users are tagged with a team mailbox, which maps to no person.
  if (rng.chance(0.3)) tags[EMAIL_TAG_KEY] = `${team}-team@example.com`;
  const consoleAccess = rng.chance(0.25);
  const devices = planDevices(rng, account.id, userName, rng.chance(0.1) ? ['virtual'] : [], serials);
  return {
    accountId: account.id,
    userName,
    arn: userArn(account.id, userName),
    path: '/',
    email: tags[EMAIL_TAG_KEY],
    tags,
    groups: rng.chance(0.2) ? [rng.pick(['readonly', 'operators'])] : [],
    consoleAccess,
    devices,
    leftoverVirtualDevices: [],
    mfaState: mfaStateOf(devices, []),
    kind: 'service',
    passwordNeverUsed: consoleAccess && rng.chance(0.5),
    accessKey: !consoleAccess || rng.chance(0.5),
    createdDaysAgo: 0,
    passwordLastUsedDaysAgo: null,
  };
}

function fixedUsers(rng: Rng, account: DemoAccount, serials: SerialStock): PlannedUser[] {
  const security = TEAMS.security;
  const base = (userName: string, kind: PlannedUser['kind'], application: string): PlannedUser => ({
    accountId: account.id,
    userName,
    arn: userArn(account.id, userName),
    path: '/',
    tags: { Environment: account.environments[0] ?? 'prod', Application: application, Owner: 'security', CostCenter: security.costCenter },
    groups: [],
    consoleAccess: false,
    devices: [],
    leftoverVirtualDevices: [],
    mfaState: 'none',
    kind,
    passwordNeverUsed: false,
    accessKey: false,
    createdDaysAgo: 0,
    passwordLastUsedDaysAgo: null,
  });
  const users: PlannedUser[] = [];
  // The portal's key is created separately: it goes into groundTruth.portal, not into accessKeys.
  const service = (u: PlannedUser): PlannedUser => ({ ...u, tags: { ...u.tags, [SERVICE_TAG_KEY]: SERVICE_TAG_VALUE } });
  if (account.id === HOSTING_ACCOUNT) users.push(service(base(PORTAL_USER_NAME, 'service', 'mfa-portal')));
  // The local stack's stand-in for the AWS console (see organisation.ts); its key is an ordinary access key.
  if (account.id === HOSTING_ACCOUNT) users.push(service({ ...base(LOCAL_CONSOLE_USER_NAME, 'service', 'local-console'), accessKey: true }));
  if (account.environments.includes('prod')) {
    // Sealed-envelope emergency access: a console password nobody has used, no MFA (an approved exception).
    users.push({ ...base('break-glass', 'break-glass', 'break-glass'), consoleAccess: true, passwordNeverUsed: true });
  }
  for (const demo of demoIamUsers.filter((d) => d.accountId === account.id)) {
    const devices = planDevices(rng, account.id, demo.userName, demo.devices, serials);
    users.push({
      ...base(demo.userName, 'human', 'internal-tools'),
      tags: {
        Environment: account.environments[0] ?? 'prod',
        Application: 'internal-tools',
        Owner: 'platform',
        CostCenter: TEAMS.platform.costCenter,
        [EMAIL_TAG_KEY]: demo.owner,
      },
      email: demo.owner,
      groups: demo.groups,
      consoleAccess: true,
      devices,
      mfaState: mfaStateOf(devices, []),
      accessKey: demo.accessKey,
      passwordNeverUsed: demo.passwordLastUsedDaysAgo === null,
      owner: demo.owner,
      // The demo people are long-standing staff who signed in to the console lately.
      createdDaysAgo: demo.createdDaysAgo ?? 400,
      passwordLastUsedDaysAgo: demo.passwordLastUsedDaysAgo === undefined ? 2 : demo.passwordLastUsedDaysAgo,
    });
  }
  return users;
}

export function planOrganisation(options: PlanOptions): OrgPlan {
  const root = createRng(options.seed ?? DEFAULT_PLAN_SEED);
  const serials = new SerialStock();

  const perAccount = ACCOUNTS.map((account) => {
    const rng = root.fork(`account:${account.id}`);
    const fixed = fixedUsers(rng.fork('fixed'), account, serials);
    const generated = Math.max(0, options.usersPerAccount - fixed.length);
    const kinds = Array.from({ length: generated }, () => (rng.chance(HUMAN_SHARE) ? ('human' as const) : ('service' as const)));
    return { account, rng, fixed, kinds, humans: kinds.filter((k) => k === 'human').length };
  });

  const reserved = new Set(perAccount.flatMap((a) => a.fixed.map((u) => u.userName)));
  const mostHumans = Math.max(0, ...perAccount.map((a) => a.humans));
  const totalHumans = perAccount.reduce((sum, a) => sum + a.humans, 0);
  // About 1.5 accounts per person on average: enough overlap that many people own several users.
  const pool = planPeople(root.fork('people'), Math.max(mostHumans, Math.ceil(totalHumans / 1.5)), reserved);

  const planned: PlannedUser[] = [];
  for (const { account, rng, fixed, kinds } of perAccount) {
    planned.push(...fixed);
    const staff = rng.fork('staff').shuffle(pool);
    const taken = new Set(fixed.map((u) => u.userName));
    let nextPerson = 0;
    const userRng = rng.fork('users');
    for (const kind of kinds) {
      if (kind === 'human') {
        const person = staff[nextPerson++] as Person;
        taken.add(person.userName);
        planned.push(humanUser(userRng, account, person, serials));
      } else {
        planned.push(serviceUser(userRng, account, taken, serials));
      }
    }
  }
  const users = planned.map((u) =>
    u.kind === 'human' && u.owner
      ? u
      : u.kind === 'break-glass'
        ? // Sealed in an envelope years ago, never opened.
          { ...u, createdDaysAgo: 700, passwordLastUsedDaysAgo: null }
        : { ...u, ...planActivity(root.fork(`activity:${u.accountId}:${u.userName}`), u) },
  );

  const tokenSecret = (serial: string) => toBase32(randomBytes(root.fork(`token:${serial}`), 20));
  const hardwareTokens: HardwareToken[] = users.flatMap((u) =>
    u.devices
      .filter((d) => d.type === 'hardware')
      .map((d) => ({ serial: d.serial, secretBase32: tokenSecret(d.serial), accountId: u.accountId, userName: u.userName })),
  );
  const spareRng = root.fork('spares');
  for (let i = 0; i < SPARE_HARDWARE_TOKENS; i++) {
    const serial = serials.next(spareRng);
    hardwareTokens.push({ serial, secretBase32: tokenSecret(serial) });
  }
  return { users, hardwareTokens };
}
