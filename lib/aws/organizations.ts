import 'server-only';
import { ListAccountsCommand, ListAccountsForParentCommand, ListChildrenCommand, OrganizationsClient, type Account } from '@aws-sdk/client-organizations';
import { getEnv } from '@/lib/env';
import { assumeRoleArn, baseClientConfig } from './clients';
import { withCallMetrics } from './call-metrics';
import { AwsError, awsCall } from './errors';

/**
 * AWS Organizations discovery: which accounts the organisation has, which of them the portal manages. Read through
 * the read-only role in the management account or a delegated administrator (MFA_ORGANIZATIONS_ROLE_ARN).
 */

/** ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION (Organizations' own words). */
export type OrganizationAccountState = string;

export type OrganizationAccount = { id: string; name: string; state: OrganizationAccountState; email?: string | null };

export type OrganizationsFilter = { includeOus: string[]; excludeOus: string[]; includeAccounts: string[]; excludeAccounts: string[] };

/** Why an account is or is not managed; `managed` only for active accounts the filter selects. */
export type Selection = 'managed' | 'inactive' | 'excluded';

export type DiscoveredAccount = OrganizationAccount & { selection: Selection };

type Page<T> = { items: T[]; nextToken?: string };

/** The three paged reads discovery needs; the SDK adapter below, or a fake in unit tests. */
export type OrganizationsApi = {
  listAccounts(nextToken?: string): Promise<Page<OrganizationAccount>>;
  listChildOus(parentId: string, nextToken?: string): Promise<Page<string>>;
  listAccountsForParent(parentId: string, nextToken?: string): Promise<Page<string>>;
};

/** A runaway NextToken (a service bug) must not page forever: 10,000 accounts are at most 500 pages of 20. */
const MAX_PAGES = 5_000;

/** Every page until NextToken is absent: Organizations may return an empty page that still carries one. */
export async function readAllPages<T>(operation: string, read: (nextToken?: string) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, nextToken } = await read(token);
    out.push(...items);
    if (!nextToken) return out;
    token = nextToken;
  }
  throw new AwsError('ServiceFailure', operation, 'TooManyPages');
}

/** The state of an account: `State` (since 2025), else the retiring `Status`. */
export function accountState(a: Pick<Account, 'State' | 'Status'>): OrganizationAccountState {
  return a.State ?? a.Status ?? 'UNKNOWN';
}

/** The accounts under a root or OU, at any depth. */
async function accountsUnder(api: OrganizationsApi, parentId: string, seen = new Set<string>()): Promise<Set<string>> {
  const out = new Set<string>();
  if (seen.has(parentId)) return out;
  seen.add(parentId);
  for (const id of await readAllPages('organizations:ListAccountsForParent', (t) => api.listAccountsForParent(parentId, t))) out.add(id);
  for (const ou of await readAllPages('organizations:ListChildren', (t) => api.listChildOus(parentId, t))) {
    for (const id of await accountsUnder(api, ou, seen)) out.add(id);
  }
  return out;
}

async function accountsUnderAll(api: OrganizationsApi, parentIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const parent of parentIds) for (const id of await accountsUnder(api, parent)) out.add(id);
  return out;
}

/**
 * The filter applied to one account. An account listed by id wins (exclude before include); then an excluded OU;
 * then, when any include is set, only accounts in an included OU; with no include at all, the whole organisation.
 */
export function selectAccount(
  account: OrganizationAccount,
  filter: OrganizationsFilter,
  ous: { included: ReadonlySet<string>; excluded: ReadonlySet<string> },
): Selection {
  if (account.state !== 'ACTIVE') return 'inactive';
  if (filter.excludeAccounts.includes(account.id)) return 'excluded';
  if (filter.includeAccounts.includes(account.id)) return 'managed';
  if (ous.excluded.has(account.id)) return 'excluded';
  const anyInclude = filter.includeOus.length > 0 || filter.includeAccounts.length > 0;
  if (!anyInclude) return 'managed';
  return ous.included.has(account.id) ? 'managed' : 'excluded';
}

/** Every account of the organisation with whether the portal manages it. OU subtrees are walked only when filtered. */
export async function discoverAccounts(api: OrganizationsApi, filter: OrganizationsFilter): Promise<DiscoveredAccount[]> {
  const accounts = await readAllPages('organizations:ListAccounts', (t) => api.listAccounts(t));
  // An organisation always lists at least its management account: an empty listing is a fault (a wrong role, a
  // service error), not an organisation without accounts; storing it would stop managing every account.
  if (accounts.length === 0) throw new AwsError('ServiceFailure', 'organizations:ListAccounts', 'EmptyListing');
  const ous = { included: await accountsUnderAll(api, filter.includeOus), excluded: await accountsUnderAll(api, filter.excludeOus) };
  return accounts.map((a) => ({ ...a, selection: selectAccount(a, filter, ous) })).sort((a, b) => a.id.localeCompare(b.id));
}

/** The SDK behind OrganizationsApi, acting through the Organizations read role (retries as every AWS client here). */
export function organizationsApi(): OrganizationsApi {
  const env = getEnv();
  const roleArn = env.MFA_ORGANIZATIONS_ROLE_ARN;
  if (!roleArn) throw new AwsError('AccessDenied', 'sts:AssumeRole', 'OrganizationsRoleNotConfigured');
  const client = withCallMetrics(
    new OrganizationsClient({
      ...baseClientConfig(),
      credentials: () => assumeRoleArn({ arn: roleArn, externalId: env.MFA_ORGANIZATIONS_EXTERNAL_ID, sessionName: 'mfa-portal-organizations' }),
    }),
  );
  return {
    async listAccounts(nextToken) {
      const out = await awsCall('organizations:ListAccounts', () => client.send(new ListAccountsCommand({ NextToken: nextToken })));
      return {
        items: (out.Accounts ?? []).filter((a) => a.Id).map((a) => ({ id: a.Id!, name: a.Name ?? a.Id!, state: accountState(a), email: a.Email ?? null })),
        nextToken: out.NextToken,
      };
    },
    async listChildOus(parentId, nextToken) {
      const out = await awsCall('organizations:ListChildren', () =>
        client.send(new ListChildrenCommand({ ParentId: parentId, ChildType: 'ORGANIZATIONAL_UNIT', NextToken: nextToken })),
      );
      return { items: (out.Children ?? []).flatMap((c) => (c.Id ? [c.Id] : [])), nextToken: out.NextToken };
    },
    async listAccountsForParent(parentId, nextToken) {
      const out = await awsCall('organizations:ListAccountsForParent', () => client.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken: nextToken })));
      return { items: (out.Accounts ?? []).flatMap((a) => (a.Id ? [a.Id] : [])), nextToken: out.NextToken };
    },
  };
}

/** The organisation's accounts as the settings select them. */
export async function discoverOrganizationAccounts(api: OrganizationsApi = organizationsApi()): Promise<DiscoveredAccount[]> {
  const env = getEnv();
  return discoverAccounts(api, {
    includeOus: env.MFA_ORGANIZATIONS_INCLUDE_OUS,
    excludeOus: env.MFA_ORGANIZATIONS_EXCLUDE_OUS,
    includeAccounts: env.MFA_ORGANIZATIONS_INCLUDE_ACCOUNTS,
    excludeAccounts: env.MFA_ORGANIZATIONS_EXCLUDE_ACCOUNTS,
  });
}
