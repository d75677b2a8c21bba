import { describe, expect, it } from 'vitest';
import { accountState, discoverAccounts, readAllPages, selectAccount, type OrganizationAccount, type OrganizationsApi, type OrganizationsFilter } from './organizations';

/**
 * An organisation in memory: r-root > ou-prod (A, B) > ou-prod-eu (C); r-root > ou-dev (D, suspended E); F at the
 * root. Pages of `pageSize`, with an empty page carrying a NextToken between every two real ones, as Organizations does.
 */
const accounts: OrganizationAccount[] = [
  { id: '111111111111', name: 'A', state: 'ACTIVE' },
  { id: '222222222222', name: 'B', state: 'ACTIVE' },
  { id: '333333333333', name: 'C', state: 'ACTIVE' },
  { id: '444444444444', name: 'D', state: 'ACTIVE' },
  { id: '555555555555', name: 'E', state: 'SUSPENDED' },
  { id: '666666666666', name: 'F', state: 'ACTIVE' },
];
const ous: Record<string, string[]> = { 'r-root': ['ou-root-prod0000', 'ou-root-dev00000'], 'ou-root-prod0000': ['ou-root-prodeu00'] };
const placed: Record<string, string[]> = {
  'r-root': ['666666666666'],
  'ou-root-prod0000': ['111111111111', '222222222222'],
  'ou-root-prodeu00': ['333333333333'],
  'ou-root-dev00000': ['444444444444', '555555555555'],
};

function paged<T>(items: T[], token: string | undefined, pageSize: number) {
  // Token "e<n>": an empty page before the real page n.
  if (token?.startsWith('e')) return { items: [], nextToken: token.slice(1) };
  const start = Number(token ?? 0);
  const next = start + pageSize;
  return { items: items.slice(start, next), nextToken: next < items.length ? `e${next}` : undefined };
}

function fakeOrganization(pageSize = 2): OrganizationsApi & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    listAccounts: async (t) => (calls.push(`ListAccounts ${t ?? ''}`), paged(accounts, t, pageSize)),
    listChildOus: async (p, t) => (calls.push(`ListChildren ${p}`), paged(ous[p] ?? [], t, pageSize)),
    listAccountsForParent: async (p, t) => (calls.push(`ListAccountsForParent ${p}`), paged(placed[p] ?? [], t, pageSize)),
  };
}

const none: OrganizationsFilter = { includeOus: [], excludeOus: [], includeAccounts: [], excludeAccounts: [] };
const managed = (list: { id: string; selection: string }[]) => list.filter((a) => a.selection === 'managed').map((a) => a.id);

describe('readAllPages', () => {
  it('follows NextToken through empty pages and stops only when it is absent', async () => {
    const pages = [{ items: [1], nextToken: 'a' }, { items: [], nextToken: 'b' }, { items: [], nextToken: 'c' }, { items: [2, 3] }];
    let i = 0;
    expect(await readAllPages('op', async () => pages[i++]!)).toEqual([1, 2, 3]);
    expect(i).toBe(4);
  });

  it('gives up on a NextToken that never ends, with an error rather than a loop', async () => {
    await expect(readAllPages('organizations:ListAccounts', async () => ({ items: [], nextToken: 'again' }))).rejects.toThrow(/TooManyPages/);
  });
});

describe('accountState', () => {
  it('reads State, falling back to the retiring Status', () => {
    expect(accountState({ State: 'SUSPENDED', Status: 'ACTIVE' })).toBe('SUSPENDED');
    expect(accountState({ Status: 'SUSPENDED' })).toBe('SUSPENDED');
    expect(accountState({ State: 'CLOSED' })).toBe('CLOSED');
    expect(accountState({})).toBe('UNKNOWN');
  });
});

describe('discoverAccounts', () => {
  it('without filters: every ACTIVE account, across empty pages; suspended ones kept as inactive; no OU walk', async () => {
    const api = fakeOrganization();
    const found = await discoverAccounts(api, none);
    expect(found.map((a) => a.id)).toEqual(accounts.map((a) => a.id));
    expect(managed(found)).toEqual(['111111111111', '222222222222', '333333333333', '444444444444', '666666666666']);
    expect(found.find((a) => a.id === '555555555555')).toMatchObject({ name: 'E', selection: 'inactive' });
    // 3 real pages of 2 and 2 empty pages between them.
    expect(api.calls).toEqual(['ListAccounts ', 'ListAccounts e2', 'ListAccounts 2', 'ListAccounts e4', 'ListAccounts 4']);
  });

  it('an included OU brings its descendants; an excluded OU inside it is left out', async () => {
    expect(managed(await discoverAccounts(fakeOrganization(), { ...none, includeOus: ['ou-root-prod0000'] }))).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(managed(await discoverAccounts(fakeOrganization(), { ...none, includeOus: ['ou-root-prod0000'], excludeOus: ['ou-root-prodeu00'] }))).toEqual([
      '111111111111',
      '222222222222',
    ]);
    // The root as the include: the whole organisation at any depth.
    expect(managed(await discoverAccounts(fakeOrganization(1), { ...none, includeOus: ['r-root'] }))).toEqual(['111111111111', '222222222222', '333333333333', '444444444444', '666666666666']);
  });

  it('accounts listed by id win over OUs; a suspended account stays unmanaged even when listed', async () => {
    const found = await discoverAccounts(fakeOrganization(), {
      includeOus: ['ou-root-dev00000'],
      excludeOus: ['ou-root-prod0000'],
      includeAccounts: ['333333333333', '555555555555'],
      excludeAccounts: ['444444444444'],
    });
    expect(managed(found)).toEqual(['333333333333']);
    expect(Object.fromEntries(found.map((a) => [a.name, a.selection]))).toEqual({ A: 'excluded', B: 'excluded', C: 'managed', D: 'excluded', E: 'inactive', F: 'excluded' });
  });

  it('only accounts listed by id, without OUs: just those', () => {
    const ousEmpty = { included: new Set<string>(), excluded: new Set<string>() };
    expect(selectAccount(accounts[0]!, { ...none, includeAccounts: ['111111111111'] }, ousEmpty)).toBe('managed');
    expect(selectAccount(accounts[1]!, { ...none, includeAccounts: ['111111111111'] }, ousEmpty)).toBe('excluded');
    expect(selectAccount({ ...accounts[0]!, state: 'PENDING_CLOSURE' }, none, ousEmpty)).toBe('inactive');
  });

  it('refuses an empty ListAccounts (every organisation lists its management account) rather than managing nothing', async () => {
    const empty: OrganizationsApi = {
      listAccounts: async (t) => (t ? { items: [] } : { items: [], nextToken: 'e' }),
      listChildOus: async () => ({ items: [] }),
      listAccountsForParent: async () => ({ items: [] }),
    };
    await expect(discoverAccounts(empty, { includeOus: [], excludeOus: [], includeAccounts: [], excludeAccounts: [] })).rejects.toMatchObject({ awsName: 'EmptyListing' });
  });
});
