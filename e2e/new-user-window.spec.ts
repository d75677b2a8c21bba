import { TagUserCommand } from '@aws-sdk/client-iam';
import { formatDateTimeUtc } from '../lib/format';
import { expect, test } from './fixtures';
import { createTestUser } from './support/iam';
import { cleanUpWindows, DAY, iamFor, midnight, policyName, windowState } from './support/windows';
import { signInWithKeys } from './support/enroll';
import { insertInventoryUsers, sql } from './support/db';
import { schedulerAuth } from './support/secrets';

// Issue 15 §2 in Chromium: an IAM user created after its category's deadline gets a window of the category's days from
// its creation, opened by the portal itself (the windows job), enforced by IAM (window policy + mfa-window tag), and
// shown to the member and to an admin. A user created before the deadline gets none.

const TAG_KEY = 'e2e-new-users';

test('a new IAM user gets a window from its creation, enforced by IAM and shown to the member and the admin', async ({ page, signedInElsewhere, playwright, baseURL }) => {
  test.setTimeout(180_000);
  const fresh = await createTestUser('new-user');
  const older = await createTestUser('old-user');
  let categoryId: number | null = null;
  try {
    const iam = await iamFor(fresh);
    for (const u of [fresh, older]) await iam.send(new TagUserCommand({ UserName: u.userName, Tags: [{ Key: TAG_KEY, Value: fresh.userName }] }));
    iam.destroy();
    await insertInventoryUsers([fresh, older].map((u) => ({ accountId: u.accountId, userName: u.userName, consoleAccess: true, tags: { [TAG_KEY]: fresh.userName } })));
    // The category's deadline was three days ago: `fresh` was created an hour ago (after it), `older` ten days ago.
    const created = new Date(Date.now() - 3_600_000);
    await sql('UPDATE inventory_users SET created_at = $3 WHERE account_id = $1 AND user_name = $2', [fresh.accountId, fresh.userName, created]);
    await sql('UPDATE inventory_users SET created_at = $3 WHERE account_id = $1 AND user_name = $2', [older.accountId, older.userName, new Date(Date.now() - 10 * DAY)]);
    const [row] = await sql<{ id: number }>(
      `INSERT INTO program_categories (name, position, selector_kind, selector_key, selector_value, default_decision, allowed_device_types, min_devices, deadline, cohort, updated_by, new_user_window_days)
       VALUES ($1, 0, 'tag', $2, $3, 'required', '["virtual","hardware","fido"]'::jsonb, 1, $4, 'e2e-new-users', 'e2e/new-user-window.spec.ts', 14) RETURNING id`,
      [`E2E new users ${fresh.userName}`, TAG_KEY, fresh.userName, midnight(-3)],
    );
    categoryId = row!.id;
    // 14 days from creation, at 00:00 UTC of the day it falls on (never later than the category allows).
    const end = new Date(Math.floor((created.getTime() + 14 * DAY) / DAY) * DAY);

    // The scheduler's windows job opens it (the inventory run and the IAM event consumer call the same code).
    const scheduler = await playwright.request.newContext({ baseURL });
    const res = await scheduler.post('/api/cron/windows', { headers: schedulerAuth() });
    expect(res.status()).toBe(200);
    expect(((await res.json()) as { opened: number }).opened).toBeGreaterThanOrEqual(1);
    await scheduler.dispose();

    expect(await windowState(fresh)).toEqual({ attached: [policyName(end)], tag: end.toISOString().slice(0, 16) + 'Z' });
    expect(await windowState(older)).toEqual({ attached: [], tag: null });
    const windows = await sql<{ user_name: string; kind: string; status: string; requested_by: string }>(
      'SELECT user_name, kind, status, requested_by FROM user_windows WHERE user_name = ANY($1::text[])',
      [[fresh.userName, older.userName]],
    );
    expect(windows).toEqual([{ user_name: fresh.userName, kind: 'new-user', status: 'active', requested_by: 'system' }]);

    // The member sees the window and the date that now applies to them.
    await signInWithKeys(page, fresh);
    const line = page.getByTestId('window-line');
    await expect(line).toHaveAttribute('data-kind', 'new-user');
    await expect(line).toContainText(`New user: until ${formatDateTimeUtc(end)}`);
    await expect(page.getByTestId('program-deadline')).toContainText(formatDateTimeUtc(end));

    // An admin sees it on the user's page, with where it comes from.
    const carol = await signedInElsewhere('carol@example.com');
    await carol.goto(`/admin/users/${fresh.accountId}/${encodeURIComponent(fresh.userName)}`);
    const adminLine = carol.getByTestId('program-window');
    await expect(adminLine).toHaveAttribute('data-kind', 'new-user');
    await expect(adminLine).toContainText(`New user: until ${formatDateTimeUtc(end)}, enforced by IAM`);
  } finally {
    await cleanUpWindows([fresh, older], categoryId);
  }
});
