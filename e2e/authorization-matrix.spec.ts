import { randomBytes } from 'node:crypto';
import { test, expect } from './fixtures';
import { deleteInventoryUsers, insertInventoryUsers } from './support/db';

// Every page and admin route, for each kind of visitor: a stranger is sent to sign in, and a signed-in person
// reaches exactly the areas of their role; everything else is a 403 page (not an empty page, not a redirect).
type Need = 'member' | 'admin' | 'security';

// The user detail page needs a stored inventory row; this spec brings its own.
const someone = { accountId: '111111111111', userName: `e2e-matrix-${randomBytes(3).toString('hex')}` };
test.beforeEach(() => insertInventoryUsers([someone]));
test.afterAll(() => deleteInventoryUsers(someone.accountId, [someone.userName]));

function pages(): [string, Need][] {
  return [
    ['/', 'member'],
    ['/devices', 'member'],
    ['/enroll', 'member'],
    ['/admin', 'admin'],
    ['/admin/users', 'admin'],
    [`/admin/users/${someone.accountId}/${encodeURIComponent(someone.userName)}`, 'admin'],
    ['/admin/program', 'admin'],
    ['/admin/exceptions', 'admin'],
    ['/admin/decisions/bulk?account=111111111111', 'admin'],
    ['/admin/tokens', 'admin'],
    ['/admin/reminders', 'admin'],
    ['/admin/report', 'admin'],
    ['/admin/audit', 'admin'],
    ['/admin/system', 'admin'],
    ['/admin/program/categories/new', 'security'],
    ['/admin/enforcement', 'security'],
  ];
}

const apis: [string, Need][] = [
  ['/api/admin/inventory/export?format=csv', 'admin'],
  ['/api/admin/audit/export', 'admin'],
];

const visitors: { email: string; role: Need }[] = [
  { email: 'alice@example.com', role: 'member' },
  { email: 'carol@example.com', role: 'admin' },
  { email: 'dave@example.com', role: 'security' },
];
const rank: Record<Need, number> = { member: 0, admin: 1, security: 2 };

test.describe('authorization matrix', () => {
  test('a stranger is sent to sign in from every page, and refused by every admin route', async ({ page }) => {
    for (const [path] of pages()) {
      await page.goto(path);
      await expect(page, path).toHaveURL(/\/signin\?callbackUrl=/);
    }
    for (const [path] of apis) expect((await page.request.get(path)).status(), path).toBe(401);
  });

  for (const v of visitors) {
    test(`${v.role} (${v.email}) reaches exactly the pages of the role`, async ({ page, signInAs }) => {
      test.setTimeout(90_000);
      await signInAs(v.email);
      for (const [path, need] of pages()) {
        const response = await page.goto(path);
        const allowed = rank[v.role] >= rank[need];
        expect(response!.status(), `${v.role} ${path}`).toBe(allowed ? 200 : 403);
        if (allowed) await expect(page.getByRole('heading', { level: 1 }).first(), path).toBeVisible();
        else await expect(page.getByRole('heading', { name: /don.t have access/ }), path).toBeVisible();
      }
      for (const [path, need] of apis) expect((await page.request.get(path)).status(), `${v.role} ${path}`).toBe(rank[v.role] >= rank[need] ? 200 : 403);
    });
  }
});
