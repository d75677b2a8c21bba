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
 * A required category selecting exactly the IAM users tagged `tagKey` = `tagValue` (a tag only a spec's own users carry,
 * since other specs run alongside), at position 0; returns a function that deletes it and the decisions naming it.
 */
export async function insertTagCategory(c: { name: string; tagKey: string; tagValue: string; allowed: string[]; minDevices: number; deadline: Date; cohort: string; by: string }): Promise<() => Promise<void>> {
  const [row] = await sql<{ id: number }>(
    `INSERT INTO program_categories
       (name, position, selector_kind, selector_key, selector_value, default_decision, allowed_device_types, min_devices, deadline, cohort, updated_by)
     VALUES ($1, 0, 'tag', $2, $3, 'required', $4::jsonb, $5, $6, $7, $8)
     RETURNING id`,
    [c.name, c.tagKey, c.tagValue, JSON.stringify(c.allowed), c.minDevices, c.deadline, c.cohort, c.by],
  );
  const id = row!.id;
  return async () => {
    await sql('DELETE FROM program_decisions WHERE category_id = $1', [id]);
    await sql('DELETE FROM program_categories WHERE id = $1', [id]);
  };
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
