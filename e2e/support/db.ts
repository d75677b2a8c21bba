import pg from 'pg';
import { env } from './iam';

/** One statement against the portal's e2e database (PostgreSQL), for setting up and cleaning up program data. */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: env('E2E_DATABASE_URL') });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Puts IAM users straight into the stored inventory (as an inventory run would), for pages that read it. They name
 * no real IAM user, so any inventory run removes them again: the specs that run one (tokens, coverage) go after all
 * others (playwright.config.ts projects). Tests delete them at the end.
 */
export async function insertInventoryUsers(
  users: {
    accountId: string;
    userName: string;
    groups?: string[];
    devices?: ('virtual' | 'hardware' | 'fido')[];
    consoleAccess?: boolean;
    tags?: Record<string, string>;
    /** The credential report's last use of an access key. */
    accessKeyLastUsed?: Date;
  }[],
): Promise<void> {
  for (const u of users) {
    const devices = (u.devices ?? []).map((type, i) => ({ serial: `arn:aws:iam::${u.accountId}:mfa/${u.userName}-${i}`, type, name: `${u.userName}-${i}`, enabledAt: null }));
    await sql(
      `INSERT INTO inventory_users (account_id, user_name, arn, console_access, groups, devices, mfa_state, tags, access_key_last_used, source)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8::jsonb, $9, 'verify')
       ON CONFLICT (account_id, user_name) DO UPDATE SET console_access = excluded.console_access, groups = excluded.groups,
         devices = excluded.devices, mfa_state = excluded.mfa_state, tags = excluded.tags, access_key_last_used = excluded.access_key_last_used,
         source = 'verify', updated_at = now()`,
      [
        u.accountId,
        u.userName,
        `arn:aws:iam::${u.accountId}:user/${u.userName}`,
        u.consoleAccess ?? true,
        JSON.stringify(u.groups ?? []),
        JSON.stringify(devices),
        devices.length ? 'enabled' : 'none',
        JSON.stringify(u.tags ?? {}),
        u.accessKeyLastUsed ?? null,
      ],
    );
  }
}

export async function deleteInventoryUsers(accountId: string, userNames: string[]): Promise<void> {
  await sql('DELETE FROM exception_requests WHERE account_id = $1 AND user_name = ANY($2)', [accountId, userNames]);
  await sql('DELETE FROM program_decisions WHERE account_id = $1 AND user_name = ANY($2)', [accountId, userNames]);
  await sql('DELETE FROM inventory_users WHERE account_id = $1 AND user_name = ANY($2)', [accountId, userNames]);
}
