import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
let recoveryId: number;
test.beforeAll(async () => {
  // A decided request, so that a visit shows no form to act on.
  const [recovery] = await sql<{ id: number }>(
    `INSERT INTO recovery_requests (account_id, user_name, device_serial, device_type, device_name, what, reported_by, status, reject_reason)
     VALUES ($1, $2, $3, 'virtual', $2, 'lost', 'e2e-matrix@example.com', 'rejected', 'e2e matrix') RETURNING id`,
    [someone.accountId, someone.userName, `arn:aws:iam::${someone.accountId}:mfa/${someone.userName}`],
  );
  recoveryId = Number(recovery!.id);
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
  await sql('DELETE FROM recovery_requests WHERE id = $1', [recoveryId]);
});

/**
 * The rule for each page, by its route (the file's path under app/, route groups dropped): the role it needs, and the
 * query a visit adds. `public` pages are for strangers by design and are not part of the matrix.
 */
const pageRules: Record<string, { need: Need | 'public'; query?: string }> = {
  '/': { need: 'member' },
  '/devices': { need: 'member' },
  // Without ?user= a person with several IAM users gets a picker, one with a single IAM user its form: no
  // enrollment is started by a visit (the FIDO page reads the devices it will compare against, nothing more).
  '/enroll': { need: 'member' },
  '/enroll/virtual': { need: 'member' },
  '/enroll/hardware': { need: 'member' },
  '/enroll/fido': { need: 'member' },
  '/enroll/done': { need: 'member' },
  '/admin': { need: 'admin' },
  '/admin/campaign': { need: 'admin' },
  '/admin/users': { need: 'admin' },
  '/admin/users/[accountId]/[userName]': { need: 'admin' },
  '/admin/program': { need: 'admin' },
  '/admin/exceptions': { need: 'admin' },
  '/admin/requests': { need: 'admin' },
  '/admin/recovery': { need: 'admin' },
  '/admin/recovery/[id]': { need: 'admin' },
  '/admin/decisions/bulk': { need: 'admin', query: '?account=111111111111' },
  '/admin/tokens': { need: 'admin' },
  '/admin/reminders': { need: 'admin' },
  '/admin/report': { need: 'admin' },
  '/admin/audit': { need: 'admin' },
  '/admin/system': { need: 'admin' },
  '/admin/sessions': { need: 'admin', query: '?person=bob%40example.com' },
  '/admin/program/categories/new': { need: 'security' },
  '/admin/program/categories/[id]': { need: 'security' },
  '/admin/enforcement': { need: 'security' },
  '/signin': { need: 'public' },
};

/**
 * Route handlers, by route. Each request's `allowed` is the answer a permitted visitor gets; null where calling it
 * as a permitted visitor would change what other specs rely on. The scheduler's routes are called with its token in
 * enrollment.spec (the sweep) and support/inventory.ts (an inventory run); here only their refusals are checked.
 * `public` routes are next-auth's own endpoints and the IdP sign-out hand-off, for strangers by design.
 */
type RouteCall = { method: 'GET' | 'POST'; query?: string; allowed: number | null };
const routeRules: Record<string, { need: Need | 'scheduler' | 'bearer' | 'public'; calls?: RouteCall[] }> = {
  '/api/admin/inventory/export': { need: 'admin', calls: [{ method: 'GET', query: '?format=csv', allowed: 200 }] },
  '/api/admin/audit/export': { need: 'admin', calls: [{ method: 'GET', allowed: 200 }] },
  '/api/admin/campaign/export': { need: 'admin', calls: [{ method: 'GET', query: '?format=csv', allowed: 200 }, { method: 'GET', query: '?format=json', allowed: 200 }] },
  // No such report: the visitor got past authorization to the lookup.
  '/api/admin/report/[id]': {
    need: 'admin',
    calls: ['json', 'xlsx', 'zip'].map((format) => ({ method: 'GET' as const, query: `?format=${format}`, allowed: 404 })),
  },
  // The scheduler's routes take only its bearer token: every session, even the security team's, gets 401 there.
  '/api/cron/sweep-leftovers': { need: 'scheduler', calls: [{ method: 'POST', allowed: null }] },
  '/api/cron/inventory': { need: 'scheduler', calls: [{ method: 'POST', allowed: null }] },
  '/api/cron/reminders': { need: 'scheduler', calls: [{ method: 'POST', allowed: null }] },
  '/api/cron/events': { need: 'scheduler', calls: [{ method: 'POST', allowed: null }] },
  '/api/cron/windows': { need: 'scheduler', calls: [{ method: 'POST', allowed: null }] },
  '/api/cron/campaign-digest': { need: 'scheduler', calls: [{ method: 'POST', allowed: null }] },
  // Prometheus metrics take only their own bearer token (MFA_METRICS_TOKEN): a session, even an admin's, gets 401.
  '/api/metrics': { need: 'bearer', calls: [{ method: 'GET', allowed: null }] },
  '/api/auth/[...nextauth]': { need: 'public' },
  '/api/session/idp-logout': { need: 'public' },
  // Probes for load balancers and orchestrators: for strangers by design, answering status words and counts only.
  '/api/health': { need: 'public' },
  '/api/ready': { need: 'public' },
};

/** Sample values for the dynamic segments of the routes above, by the segment and the one before it. */
const samples = (): Record<string, string> => ({
  'users/[accountId]': someone.accountId,
  '[accountId]/[userName]': encodeURIComponent(someone.userName),
  'categories/[id]': String(categoryId),
  'recovery/[id]': String(recoveryId),
  'report/[id]': '999999999',
});

/** Every page.tsx and every route.ts under app/api, as its route ("/admin/users/[accountId]/[userName]"). */
function routesOnDisk(file: 'page.tsx' | 'route.ts'): string[] {
  const app = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'app');
  return (readdirSync(app, { recursive: true }) as string[])
    .map((f) => f.split(path.sep))
    .filter((parts) => parts.at(-1) === file && (file === 'page.tsx' || parts[0] === 'api'))
    .map((parts) => `/${parts.slice(0, -1).filter((p) => !/^\(.+\)$/.test(p)).join('/')}`)
    .sort();
}

/** A route with its dynamic segments filled in from `samples`. */
function concrete(route: string): string {
  const values = samples();
  const parts = route.split('/');
  return parts
    .map((part, i) => {
      if (!part.startsWith('[')) return part;
      const value = values[`${parts[i - 1]}/${part}`];
      if (value === undefined) throw new Error(`No sample value for ${part} in ${route}: add one to samples()`);
      return value;
    })
    .join('/');
}

function pages(): [string, Need][] {
  return Object.entries(pageRules).flatMap(([route, rule]) => (rule.need === 'public' ? [] : [[`${concrete(route)}${rule.query ?? ''}`, rule.need] as [string, Need]]));
}

function routes(): { method: 'GET' | 'POST'; path: string; need: Need | 'scheduler' | 'bearer'; allowed: number | null }[] {
  return Object.entries(routeRules).flatMap(([route, { need, calls = [] }]) =>
    need === 'public' ? [] : calls.map((c) => ({ method: c.method, path: `${concrete(route)}${c.query ?? ''}`, need, allowed: c.allowed })),
  );
}

const visitors: { email: string; role: Need }[] = [
  { email: 'alice@example.com', role: 'member' },
  { email: 'carol@example.com', role: 'admin' },
  { email: 'dave@example.com', role: 'security' },
];
const rank: Record<Need, number> = { member: 0, admin: 1, security: 2 };

test.describe('authorization matrix', () => {
  test('every page and route handler under app/ has a rule here, and every rule a file', () => {
    expect(routesOnDisk('page.tsx'), 'a page without a rule: add one to pageRules').toEqual(Object.keys(pageRules).sort());
    expect(routesOnDisk('route.ts'), 'a route handler without a rule: add one to routeRules').toEqual(Object.keys(routeRules).sort());
  });

  test('a stranger is sent to sign in from every page, and gets 401 from every route, also with a made-up bearer token', async ({ page, playwright, baseURL }) => {
    test.setTimeout(90_000);
    for (const [path] of pages()) {
      await page.goto(path);
      await expect(page, path).toHaveURL(/\/signin\?callbackUrl=/);
    }
    const anonymous = await playwright.request.newContext({ baseURL });
    try {
      for (const r of routes()) {
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
      for (const r of routes()) {
        const status = (await page.request.fetch(r.path, { method: r.method })).status();
        if (r.need === 'scheduler' || r.need === 'bearer') {
          expect(status, `${v.role} ${r.method} ${r.path} with a session alone`).toBe(401);
          continue;
        }
        const allowed = rank[v.role] >= rank[r.need];
        if (allowed && r.allowed === null) continue;
        expect(status, `${v.role} ${r.method} ${r.path}`).toBe(allowed ? r.allowed : 403);
      }
    });
  }

  test('the probes answer a stranger with status words and counts only, and the metrics answer their own token alone', async ({ playwright, baseURL }) => {
    const anonymous = await playwright.request.newContext({ baseURL });
    try {
      const health = await anonymous.get('/api/health');
      expect(health.status()).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await anonymous.get('/api/ready');
      expect(ready.status()).toBe(200);
      const body = await ready.json();
      expect(body).toEqual({ status: 'ready', database: 'ok', accounts: { total: expect.any(Number), reachable: expect.any(Number), unreachable: expect.any(Number), unchecked: expect.any(Number) } });
      expect(JSON.stringify(body)).not.toMatch(/\d{12}|127\.0\.0\.1|postgres/);
      for (const response of [health, ready]) expect(response.headers()['cache-control']).toMatch(/^no-store\b/);

      const token = (JSON.parse(process.env.E2E_STACK_ENV ?? '{}') as Record<string, string>).MFA_METRICS_TOKEN;
      expect(token, 'the local stack sets a metrics token').toBeTruthy();
      const metrics = await anonymous.get('/api/metrics', { headers: { Authorization: `Bearer ${token}` } });
      expect(metrics.status()).toBe(200);
      expect(await metrics.text()).toMatch(/^mfa_portal_aws_calls_total\{/m);
    } finally {
      await anonymous.dispose();
    }
  });

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
