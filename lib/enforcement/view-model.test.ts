import { describe, expect, it } from 'vitest';
import type { DiffLine } from './diff';
import type { DeniedUser, TagChange } from './impact';
import type { AccountPreview } from './preview';
import { accountStatus, cohortRows, deployView, driftSummary, groupDenied, impactView, pendingChange, userHref, versionToPrune } from './view-model';

const day = (d: number) => new Date(Date.UTC(2027, 0, d));
const denied = (userName: string, p: Partial<DeniedUser> = {}): DeniedUser => ({
  accountId: '111111111111',
  userName,
  cohort: 'wave-1',
  from: day(1),
  denied: 'everything',
  consoleAccess: true,
  activeException: false,
  outOfScope: false,
  ...p,
});
const change = (userName: string, key: TagChange['key'] = 'mfa-cohort'): TagChange => ({ accountId: '111111111111', userName, key, actualKey: null, actual: null, desired: 'wave-1' });
const edit: DiffLine[] = [{ kind: 'same', text: '{' }, { kind: 'remove', text: 'old' }, { kind: 'add', text: 'new' }, { kind: 'add', text: 'more' }, { kind: 'same', text: '}' }];
const account = (p: Partial<AccountPreview> = {}): AccountPreview => ({
  accountId: '111111111111',
  label: 'Production',
  arn: 'arn:aws:iam::111111111111:policy/MfaPortalEnforcement',
  exists: true,
  defaultVersionId: 'v1',
  versions: [{ versionId: 'v1', isDefault: true, createdAt: null }],
  deployedJson: '{}',
  members: [],
  desired: [],
  groups: [{ name: 'mfa-enforced', exists: true, attached: true, attachedArns: [], others: [] }],
  error: null,
  diff: [],
  upToDate: true,
  ...p,
});

describe('cohortRows', () => {
  it('orders the cohorts by deadline then name, marks the default, and counts both kinds of denial per cohort', () => {
    const program = {
      cohorts: [
        { cohort: 'wave-2', deadline: day(5) },
        { cohort: 'b-wave', deadline: day(1) },
        { cohort: 'a-wave', deadline: day(1) },
      ],
      defaultCohort: 'wave-2',
    };
    const rows = cohortRows(program, [denied('u1', { cohort: 'wave-2' }), denied('u2', { cohort: 'wave-2', denied: 'access-keys' }), denied('u3', { cohort: 'wave-2' }), denied('u4', { cohort: 'a-wave', denied: 'access-keys' })]);
    expect(rows.map((r) => [r.cohort, r.isDefault, r.deniedEverything, r.deniedKeys])).toEqual([
      ['a-wave', false, 0, 1],
      ['b-wave', false, 0, 0],
      ['wave-2', true, 2, 1],
    ]);
  });
});

describe('driftSummary', () => {
  it('lists the first changes, counts the rest, and counts each IAM user once', () => {
    const changes = [change('alice'), change('alice', 'mfa-exempt'), change('bob'), change('carol')];
    expect(driftSummary(changes, 3)).toEqual({ users: 3, shown: changes.slice(0, 3), hidden: 1 });
    expect(driftSummary(changes).hidden).toBe(0);
  });
});

describe('impact', () => {
  it('groups denied users by date and cohort, earliest first, keeping their order within a group', () => {
    const groups = groupDenied([denied('late', { from: day(9) }), denied('b', { cohort: 'b' }), denied('a1', { cohort: 'a' }), denied('a2', { cohort: 'a' })]);
    expect(groups.map((g) => [g.from.getUTCDate(), g.cohort, g.users.map((u) => u.userName)])).toEqual([
      [1, 'a', ['a1', 'a2']],
      [1, 'b', ['b']],
      [9, 'wave-1', ['late']],
    ]);
  });

  it('splits the two kinds of denial and counts the exceptions and the users out of scope that its warnings name', () => {
    const v = impactView([denied('a'), denied('b', { denied: 'access-keys', activeException: true }), denied('c', { outOfScope: true }), denied('d', { activeException: true })]);
    expect(v.everything.flatMap((g) => g.users.map((u) => u.userName))).toEqual(['a', 'c', 'd']);
    expect(v.keys.flatMap((g) => g.users.map((u) => u.userName))).toEqual(['b']);
    expect([v.deniedEverything, v.deniedKeys, v.exceptions, v.outOfScope]).toEqual([3, 1, 2, 1]);
    expect(impactView([])).toMatchObject({ everything: [], keys: [], deniedEverything: 0, exceptions: 0, outOfScope: 0, nobodyDenied: true });
  });

  it('never says nobody is denied while an account’s users are unknown (unreachable)', () => {
    const unknown = [{ accountId: '222222222222', label: 'Sandbox' }];
    expect(impactView([], unknown)).toMatchObject({ deniedEverything: 0, nobodyDenied: false, unknownAccounts: unknown });
    expect(impactView([denied('a')], unknown).nobodyDenied).toBe(false);
  });
});

describe('accounts', () => {
  it('says in a badge whether an account is unreadable, not deployed, up to date, or how much a deploy changes', () => {
    expect(accountStatus(account({ error: 'AWS is throttling requests; try again in a minute.' }))).toEqual({ tone: 'bad', text: 'could not be read' });
    expect(accountStatus(account({ exists: false, upToDate: false }))).toEqual({ tone: 'neutral', text: 'not deployed' });
    expect(accountStatus(account())).toEqual({ tone: 'good', text: 'up to date' });
    expect(accountStatus(account({ upToDate: false, diff: edit }))).toEqual({ tone: 'info', text: 'will change: +2 −1 lines' });
  });

  it('names the version the next deploy deletes only when IAM’s versions are used up and the account is behind', () => {
    const versions = [
      { versionId: 'v1', isDefault: true, createdAt: null },
      { versionId: 'v2', isDefault: false, createdAt: null },
      { versionId: 'v3', isDefault: false, createdAt: null },
    ];
    expect(versionToPrune(account({ versions, upToDate: false }), 3)).toBe('v2');
    expect(versionToPrune(account({ versions, upToDate: true }), 3)).toBeNull();
    expect(versionToPrune(account({ versions, upToDate: false }), 5)).toBeNull();
  });

  it('words what a deploy would do: create, a new version, attach to the groups that exist, or nothing', () => {
    const groups = [
      { name: 'enforced', exists: true, attached: false, attachedArns: [], others: [] },
      { name: 'admins', exists: true, attached: false, attachedArns: [], others: [] },
      { name: 'missing', exists: false, attached: false, attachedArns: [], others: [] },
    ];
    expect(pendingChange(account({ exists: false, upToDate: false, groups }))).toBe('create the policy, then attach to enforced, admins');
    expect(pendingChange(account({ exists: false, upToDate: false, groups: [] }))).toBe('create the policy');
    expect(pendingChange(account({ upToDate: false, diff: edit }))).toBe('new default version (+2 −1 lines)');
    expect(pendingChange(account({ groups }))).toBe('attach to enforced, admins');
    expect(pendingChange(account())).toBeNull();
  });

  it('words a change of a set of several policies: how many are created and how many get a new version', () => {
    const d = (name: string, exists: boolean, upToDate: boolean) => ({ name, arn: `arn:aws:iam::111111111111:policy/${name}`, json: '{}', exists, upToDate, retired: false });
    expect(pendingChange(account({ exists: false, upToDate: false, groups: [], desired: [d('P', false, false), d('P-2', false, false)] }))).toBe('create the 2 policies of the set');
    expect(pendingChange(account({ upToDate: false, diff: edit, groups: [], desired: [d('P', true, false), d('P-2', true, true), d('P-3', false, false)] }))).toBe(
      'new default version of 1 policy, create 1 policy (+2 −1 lines over the set of 3)',
    );
  });

  it('lists for the deploy every account, those it changes, and the unreadable ones apart', () => {
    const view = deployView([account(), account({ accountId: '222222222222', label: 'Staging', exists: false, upToDate: false }), account({ accountId: '333333333333', label: 'Sandbox', error: 'denied' })]);
    expect(view.accounts.map((a) => a.label)).toEqual(['Production', 'Staging', 'Sandbox']);
    expect(view.pending).toEqual([{ accountId: '222222222222', label: 'Staging', change: 'create the policy' }]);
    expect(view.unreadable).toEqual([{ accountId: '333333333333', label: 'Sandbox' }]);
  });
});

it('links a user’s admin page with the name encoded', () => {
  expect(userHref({ accountId: '111111111111', userName: 'a+b@c' })).toBe('/admin/users/111111111111/a%2Bb%40c');
});
