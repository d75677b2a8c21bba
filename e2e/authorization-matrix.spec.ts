import { randomBytes } from 'node:crypto';
import { test, expect } from './fixtures';
import { deleteInventoryUsers, insertInventoryUsers, sql } from './support/db';

// Every page and route handler, for each kind of visitor: a stranger is sent to sign in (pages) or gets 401
// (routes), and a signed-in person reaches exactly the areas of their role; everything else is a 403 page (not
// an empty page, not a redirect) or a 403 answer. Server actions have their own matrix
// (app/(portal)/actions-authorization.test.ts).
type Need = 'member' | 'admin' | 'security';

// The user detail page needs a stored inventory row, and the category page a category: this spec brings its own
// (the category selects a group nobody is in).
const tag = randomBytes(3).toString('hex');
const someone = { accountId: '111111111111', userName: `e2e-matrix-${tag}` };
let categoryId: number;
test.beforeAll(async () => {
  const [row] = await sql<{ id: number }>(
    `INSERT INTO program_categories (name, position, selector_kind, selector_value, default_decision, allowed_device_types, deadline, cohort, updated_by)
     VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM program_categories), 'group', $2, 'required', '["virtual"]', now() + interval '90 days', $2, 'e2e')
     RETURNING id`,
    [`E2E matrix ${tag}`, `e2e-matrix-${tag}`],
  );
  categoryId = row!.id;
});
test.beforeEach(() => insertInventoryUsers([someone]));
test.afterAll(async () => {
  await deleteInventoryUsers(someone.accountId, [someone.userName]);
  await sql('DELETE FROM program_categories WHERE id = $1', [categoryId]);
});

function pages(): [string, Need][] {
  return [
    ['/', 'member'],
    ['/devices', 'member'],
    // Without ?user= a person with several IAM users gets a picker, one with a single IAM user its form: no
    // enrollment is started by a visit (the FIDO page reads the devices it will compare against, nothing more).
    ['/enroll', 'member'],
    ['/enroll/virtual', 'member'],
    ['/enroll/hardware', 'member'],
    ['/enroll/fido', 'member'],
    ['/enroll/done', 'member'],
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
    ['/admin/sessions?person=bob%40example.com', 'admin'],
    ['/admin/program/categories/new', 'security'],
    [`/admin/program/categories/${categoryId}`, 'security'],
    ['/admin/enforcement', 'security'],
  ];
}

/**
 * Route handlers. `allowed` is the answer a permitted visitor gets here; null where calling it as a permitted
 * visitor would change what other specs rely on. The scheduler's routes are called with its token in enrollment.spec
 * (the sweep) and support/inventory.ts (an inventory run); here only their refusals are checked.
 */
const routes: { method: 'GET' | 'POST'; path: string; need: Need | 'scheduler'; allowed: number | null }[] = [
  { method: 'GET', path: '/api/admin/inventory/export?format=csv', need: 'admin', allowed: 200 },
  { method: 'GET', path: '/api/admin/audit/export', need: 'admin', allowed: 200 },
  // No such report: the visitor got past authorization to the lookup.
  { method: 'GET', path: '/api/admin/report/999999999?format=json', need: 'admin', allowed: 404 },
  { method: 'GET', path: '/api/admin/report/999999999?format=xlsx', need: 'admin', allowed: 404 },
  { method: 'GET', path: '/api/admin/report/999999999?format=zip', need: 'admin', allowed: 404 },
  // The scheduler's routes take only its bearer token: every session, even the security team's, gets 401 there.
  { method: 'POST', path: '/api/cron/sweep-leftovers', need: 'scheduler', allowed: null },
  { method: 'POST', path: '/api/cron/inventory', need: 'scheduler', allowed: null },
  { method: 'POST', path: '/api/cron/reminders', need: 'scheduler', allowed: null },
];

const visitors: { email: string; role: Need }[] = [
  { email: 'alice@example.com', role: 'member' },
  { email: 'carol@example.com', role: 'admin' },
  { email: 'dave@example.com', role: 'security' },
];
const rank: Record<Need, number> = { member: 0, admin: 1, security: 2 };

test.describe('authorization matrix', () => {
  test('a stranger is sent to sign in from every page, and gets 401 from every route, also with a made-up bearer token', async ({ page, playwright, baseURL }) => {
    test.setTimeout(90_000);
    for (const [path] of pages()) {
      await page.goto(path);
      await expect(page, path).toHaveURL(/\/signin\?callbackUrl=/);
    }
    const anonymous = await playwright.request.newContext({ baseURL });
    try {
      for (const r of routes) {
        expect((await anonymous.fetch(r.path, { method: r.method })).status(), `${r.method} ${r.path}`).toBe(401);
        const forged = await anonymous.fetch(r.path, { method: r.method, headers: { Authorization: `Bearer ${'x'.repeat(40)}` } });
        expect(forged.status(), `${r.method} ${r.path} with a made-up token`).toBe(401);
      }
    } finally {
      await anonymous.dispose();
    }
  });

  for (const v of visitors) {
    test(`${v.role} (${v.email}) reaches exactly the pages and routes of the role`, async ({ page, signInAs }) => {
      test.setTimeout(120_000);
      await signInAs(v.email);
      for (const [path, need] of pages()) {
        const response = await page.goto(path);
        const allowed = rank[v.role] >= rank[need];
        expect(response!.status(), `${v.role} ${path}`).toBe(allowed ? 200 : 403);
        if (allowed) await expect(page.getByRole('heading', { level: 1 }).first(), path).toBeVisible();
        else await expect(page.getByRole('heading', { name: /don.t have access/ }), path).toBeVisible();
      }
      for (const r of routes) {
        const status = (await page.request.fetch(r.path, { method: r.method })).status();
        if (r.need === 'scheduler') {
          expect(status, `${v.role} ${r.method} ${r.path} with a session alone`).toBe(401);
          continue;
        }
        const allowed = rank[v.role] >= rank[r.need];
        if (allowed && r.allowed === null) continue;
        expect(status, `${v.role} ${r.method} ${r.path}`).toBe(allowed ? r.allowed : 403);
      }
    });
  }

  test("a member cannot open an enrollment for someone else's IAM user by naming it in the address", async ({ page, signInAs }) => {
    await signInAs('alice@example.com');
    // carol's IAM user in the Security account: alice gets her own picker, never carol's form.
    for (const kind of ['virtual', 'hardware', 'fido', 'done']) {
      const response = await page.goto(`/enroll/${kind}?user=${encodeURIComponent('333333333333/carol')}`);
      expect(response!.status(), kind).toBe(200);
      await expect(page.getByRole('main'), kind).not.toContainText('carol');
      await expect(page.getByRole('main'), kind).not.toContainText('333333333333');
    }
  });
});
