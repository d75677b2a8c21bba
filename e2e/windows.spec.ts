import { TagUserCommand } from '@aws-sdk/client-iam';
import { formatDateTimeUtc } from '../lib/format';
import { expect, test } from './fixtures';
import { createTestUser } from './support/iam';
import { cleanUpWindows as cleanUp, iamFor, midnight, policyName, windowState } from './support/windows';
import { signInWithKeys } from './support/enroll';
import { insertInventoryUsers, sql } from './support/db';

// Issue 15 §1 in Chromium: a member gets more time at once within the category's limits (IAM has the window policy and
// the mfa-window tag), a request beyond them waits, and another admin approves it; nobody decides their own request.

const TAG_KEY = 'e2e-windows';
test('more time: granted at once within the limits and enforced by IAM; beyond them another admin approves; never one’s own request', async ({ page, signedInElsewhere }) => {
  test.setTimeout(180_000);
  const user = await createTestUser('windows');
  const other = await createTestUser('windows-own');
  let categoryId: number | null = null;
  try {
    // Only these users carry the tag the category selects, in IAM and in the stored inventory.
    const iam = await iamFor(user);
    for (const u of [user, other]) await iam.send(new TagUserCommand({ UserName: u.userName, Tags: [{ Key: TAG_KEY, Value: user.userName }] }));
    iam.destroy();
    await insertInventoryUsers([user, other].map((u) => ({ accountId: u.accountId, userName: u.userName, consoleAccess: true, tags: { [TAG_KEY]: user.userName } })));
    const [row] = await sql<{ id: number }>(
      `INSERT INTO program_categories (name, position, selector_kind, selector_key, selector_value, default_decision, allowed_device_types, min_devices, deadline, cohort, updated_by, extension_max_days, extension_max_count)
       VALUES ($1, 0, 'tag', $2, $3, 'required', '["virtual","hardware","fido"]'::jsonb, 1, $4, 'e2e-windows', 'e2e/windows.spec.ts', 10, 1) RETURNING id`,
      [`E2E windows ${user.userName}`, TAG_KEY, user.userName, midnight(2)],
    );
    categoryId = row!.id;

    // Within the limits (5 days, the first extension): granted at once.
    await signInWithKeys(page, user);
    const card = page.getByTestId('iam-user');
    await card.getByText('Ask for more time').click();
    await card.getByLabel('More days').fill('5');
    await card.getByLabel('Why').fill('Travelling without my phone');
    await card.getByRole('button', { name: 'Ask', exact: true }).click();
    await expect(card.getByRole('alert').or(card.getByRole('status'))).toContainText('Granted');
    await page.reload();
    await expect(page.getByTestId('window-line')).toHaveText(new RegExp(`Extended to ${formatDateTimeUtc(midnight(7))}, 1 of 1 extension used\\.`));
    await expect(page.getByTestId('program-deadline')).toContainText(formatDateTimeUtc(midnight(7)));
    expect(await windowState(user)).toEqual({ attached: [policyName(midnight(7))], tag: midnight(7).toISOString().slice(0, 16) + 'Z' });

    // Beyond them (the one extension is used): the request waits for an admin.
    await page.getByText('Ask for more time').click();
    await page.getByLabel('More days').fill('3');
    await page.getByLabel('Why').fill('The new token arrives on Monday');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    // The page refreshes at once: the request is shown waiting, and the form is gone until it is decided.
    await expect(page.getByTestId('window-pending')).toContainText(`Your request for more time (until ${formatDateTimeUtc(midnight(10))}) is waiting for an admin.`);
    await expect(page.getByText('Ask for more time')).toHaveCount(0);
    expect((await windowState(user)).attached).toEqual([policyName(midnight(7))]);

    // A request carol made herself (for the other user): she sees it, but only another admin may decide it.
    await sql(
      `INSERT INTO user_windows (account_id, user_name, kind, status, ends_at, days, reason, requested_by) VALUES ($1, $2, 'extension', 'pending', $3, 4, 'carol asks for herself', 'carol@example.com')`,
      [other.accountId, other.userName, midnight(6)],
    );
    const carol = await signedInElsewhere('carol@example.com');
    await carol.goto('/admin/requests');
    await expect(carol.getByRole('heading', { name: 'Requests for more time', level: 1 })).toBeVisible();
    const own = carol.getByTestId('request').filter({ has: carol.getByRole('link', { name: other.userName, exact: true }) });
    await expect(own.getByTestId('own-request')).toHaveText('This is your own request: another admin decides it.');
    await expect(own.getByRole('button', { name: 'Approve' })).toHaveCount(0);

    // Carol approves the member's request: IAM now has the later window only.
    const theirs = carol.getByTestId('request').filter({ has: carol.getByRole('link', { name: user.userName, exact: true }) });
    await expect(theirs.getByTestId('request-until')).toContainText(formatDateTimeUtc(midnight(10)));
    await theirs.getByRole('button', { name: 'Approve' }).click();
    // Decided: the page refreshes and the request leaves the list; carol's own stays for another admin.
    await expect(theirs).toHaveCount(0);
    await expect(own).toHaveCount(1);
    expect(await windowState(user)).toEqual({ attached: [policyName(midnight(10))], tag: midnight(10).toISOString().slice(0, 16) + 'Z' });
    await page.reload();
    await expect(page.getByTestId('window-line')).toHaveText(new RegExp(`Extended to ${formatDateTimeUtc(midnight(10))}, 2 extensions used \\(1 at once\\)\\.`));

    // Frank, another admin, decides carol's own request (here: rejects it, with a reason).
    const frank = await signedInElsewhere('frank@example.com');
    await frank.goto('/admin/requests');
    const forFrank = frank.getByTestId('request').filter({ has: frank.getByRole('link', { name: other.userName, exact: true }) });
    await forFrank.getByLabel('Reason (needed to reject)').fill('Enroll the spare token instead');
    await forFrank.getByRole('button', { name: 'Reject' }).click();
    await expect(forFrank).toHaveCount(0);
    expect((await sql<{ status: string; decided_by: string }>('SELECT status, decided_by FROM user_windows WHERE user_name = $1', [other.userName]))[0]).toEqual({ status: 'rejected', decided_by: 'frank@example.com' });
  } finally {
    await cleanUp([user, other], categoryId);
  }
});
