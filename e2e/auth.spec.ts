import AxeBuilder from '@axe-core/playwright';
import { decode } from 'next-auth/jwt';
import { expect, groundTruth, iamUsersOf, person, SignInPage, test } from './fixtures';
import { sql } from './support/db';
import { env } from './support/iam';

const MEMBERS = ['alice@example.com', 'bob@example.com', 'grace@example.com'];

test.describe('signed out', () => {
  for (const path of ['/', '/admin', '/admin/users', '/admin/report', '/admin/system', '/devices', '/enroll/virtual', '/some/deep/page?x=1']) {
    test(`a request for ${path} goes to sign-in and comes back after`, async ({ page, signIn }) => {
      await page.goto(path);
      await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
      expect(new URL(page.url()).searchParams.get('callbackUrl')).toBe(path);
      await expect(page.getByRole('heading', { name: 'MFA Portal', level: 1 })).toBeVisible();
      if (path === '/') {
        await signIn.withIdp('alice@example.com', person('alice@example.com').password);
        await expect(page).toHaveURL(/\/$/);
      }
    });
  }

  test('the session endpoint reveals nothing without a session', async ({ request }) => {
    const res = await request.get('/api/auth/session');
    expect(await res.json()).toEqual({});
  });

  test('the sign-in page is accessible and sends security headers', async ({ page }) => {
    const response = await page.goto('/signin');
    const headers = response!.headers();
    expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(headers['permissions-policy']).toContain('camera=()');
    expect(headers['cache-control']).toContain('no-store');
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });
});

test.describe('company sign-in through the IdP', () => {
  for (const email of [...MEMBERS, 'carol@example.com', 'dave@example.com', 'frank@example.com']) {
    test(`${email} sees exactly the IAM users and MFA states of the ground truth`, async ({ page, signInAs }) => {
      await signInAs(email);
      const expected = iamUsersOf(email);
      expect(expected.length).toBeGreaterThan(0);
      const cards = page.getByTestId('iam-user');
      await expect(cards).toHaveCount(expected.length);
      for (const user of expected) {
        const card = cards.filter({ has: page.getByRole('heading', { name: user.userName, exact: true }) }).filter({ hasText: user.accountId });
        await expect(card).toHaveCount(1);
        await expect(card.getByTestId('console-access')).toHaveText(user.consoleAccess ? /^Yes/ : /^No/);
        const status = user.devices.length > 0 ? 'protected' : user.consoleAccess ? 'missing' : 'no-console';
        await expect(card.getByTestId('mfa-status')).toHaveAttribute('data-status', status);
        const serials = await card.getByTestId('mfa-device').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-serial'), r.getAttribute('data-type')]));
        expect(serials.sort()).toEqual(user.devices.map((d) => [d.serial, d.type]).sort());
      }
    });
  }

  test('a wrong password is refused by the IdP with a clear message', async ({ page, signIn }) => {
    await signIn.goto();
    await signIn.withIdp('alice@example.com', 'not-her-password');
    await expect(page.getByRole('alert')).toHaveText(/Wrong email or password/);
    await expect(page.getByLabel('Email')).toHaveValue('alice@example.com');
  });

  test('a person with no IAM user gets an explanation, not an error', async ({ page, signInAs }) => {
    const email = 'erin@example.com';
    expect(iamUsersOf(email)).toEqual([]);
    await signInAs(email);
    await expect(page.getByText('No IAM users are linked to you yet')).toBeVisible();
    await expect(page.getByText(email)).toBeVisible();
  });

  test('a member sees no admin navigation and is refused on admin pages', async ({ page, signInAs }) => {
    await signInAs('alice@example.com');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'My IAM users' })).toBeVisible();
    for (const name of ['Coverage', 'Campaign', 'IAM users', 'Program', 'Exceptions', 'Requests', 'Lost devices', 'Hardware tokens', 'Reminders', 'Validation report', 'Audit log', 'Accounts and audit']) await expect(nav.getByRole('link', { name, exact: true })).toHaveCount(0);
    for (const path of ['/admin', '/admin/users', '/admin/system', '/admin/users/111111111111/alice']) {
      const response = await page.goto(path);
      expect(response!.status(), path).toBe(403);
      await expect(page.getByRole('heading', { name: /don.t have access/ })).toBeVisible();
    }
    await expect(page.getByText('Managed accounts')).toHaveCount(0);
    expect((await page.request.get('/api/admin/inventory/export?format=csv')).status()).toBe(403);
  });

  for (const email of ['carol@example.com', 'frank@example.com']) {
    test(`${email} (admin by ${email.startsWith('carol') ? 'IAM group' : 'IdP groups claim'}) reaches the admin area`, async ({ page, signInAs }) => {
      await signInAs(email);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts and audit' }).click();
      await expect(page.getByRole('heading', { name: 'Accounts and audit', level: 1 })).toBeVisible();
      const rows = page.getByTestId('account-row');
      await expect(rows).toHaveCount(groundTruth().accounts.length);
      for (const a of groundTruth().accounts) {
        await expect(rows.filter({ hasText: a.id })).toContainText('Reachable');
        await expect(rows.filter({ hasText: a.id })).toContainText(a.alias);
      }
    });
  }

  test('sign-out ends the session', async ({ page, signInAs }) => {
    await signInAs('bob@example.com');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin\?signedOut=1/);
    await expect(page.getByText('You are signed out.')).toBeVisible();
    const cookies = await page.context().cookies();
    expect(cookies.some((c) => c.name.includes('next-auth.session-token'))).toBe(false);
    await page.goto('/');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  });

  test('company sign-out also ends the IdP session: signing in again asks for the IdP password again', async ({ page, signIn, signInAs }) => {
    await signInAs('grace@example.com');
    const idpOrigins: string[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.url().includes('/session/end')) idpOrigins.push(new URL(r.url()).origin);
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin\?signedOut=1/);
    await expect(page.getByText('You are signed out.')).toBeVisible();
    expect(idpOrigins.length).toBeGreaterThan(0);
    expect((await page.context().cookies()).some((c) => c.name.includes('next-auth.session-token'))).toBe(false);

    await page.getByRole('button', { name: /Sign in with/ }).first().click();
    await expect(page.getByRole('heading', { name: /Acme demo identity provider/i })).toBeVisible();
    await expect(page.getByLabel('Password')).toBeVisible();
    await signIn.withIdpForm('grace@example.com', person('grace@example.com').password);
    await expect(page.getByRole('heading', { name: 'My IAM users', level: 1 })).toBeVisible();

    const [audited] = await sql<{ idp: string }>(
      "SELECT detail->>'idpLogout' AS idp FROM audit_log WHERE action = 'auth.sign-out' AND actor = 'grace@example.com' ORDER BY id DESC LIMIT 1",
    );
    expect(audited?.idp).toBe('true');
  });

  test('a session cookie replayed after sign-out is refused', async ({ page, signInAs }) => {
    await signInAs('bob@example.com');
    const saved = (await page.context().cookies()).filter((c) => c.name.includes('next-auth.session-token'));
    expect(saved.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin\?signedOut=1/);

    await page.context().addCookies(saved);
    const session = await page.request.get('/api/auth/session');
    expect(await session.json()).toEqual({});
    await page.context().addCookies(saved);
    await page.goto('/');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
    await expect(page.getByRole('heading', { name: 'My IAM users' })).toHaveCount(0);
  });

  test('the session endpoint never extends the absolute lifetime, and the server\'s expiry ends the session', async ({ page, signInAs }) => {
    await signInAs('bob@example.com');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'next-auth.session-token')!;
    const sid = (await decode({ token: cookie.value, secret: env('E2E_NEXTAUTH_SECRET') }))!.sid as string;
    const expiry = async () => (await sql<{ expires_at: Date; created_at: Date }>('SELECT expires_at, created_at FROM portal_sessions WHERE id = $1', [sid]))[0]!;
    const before = await expiry();
    expect(before.expires_at.getTime() - before.created_at.getTime()).toBe(8 * 3600 * 1000);
    for (let i = 0; i < 3; i++) expect((await (await page.request.get('/api/auth/session')).json()).user.email).toBe('bob@example.com');
    expect((await expiry()).expires_at).toEqual(before.expires_at);

    // Eight hours on: the row has expired, whatever the cookie says.
    await sql("UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [sid]);
    expect(await (await page.request.get('/api/auth/session')).json()).toEqual({});
    await page.context().addCookies([cookie]);
    await page.goto('/');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
    expect((await sql<{ end_reason: string }>('SELECT end_reason FROM portal_sessions WHERE id = $1', [sid]))[0]!.end_reason).toBe('expired');
  });

  test('an admin ends a person\'s session and its cookie stops working', async ({ page, signInAs, browser, baseURL }) => {
    // Erin: no other test depends on her session staying alive after sign-in.
    await signInAs('erin@example.com');

    const adminContext = await browser.newContext({ baseURL });
    try {
      const admin = await adminContext.newPage();
      const signIn = new SignInPage(admin);
      await signIn.goto();
      await signIn.withIdp('carol@example.com', person('carol@example.com').password);
      await expect(admin.getByRole('heading', { name: 'My IAM users', level: 1 })).toBeVisible();
      await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
      await admin.getByRole('textbox', { name: 'Person' }).fill('erin@example.com');
      await admin.getByRole('button', { name: 'Show sessions' }).click();
      const active = admin.getByTestId('session-row').filter({ hasText: 'Active' });
      await expect(active.first()).toBeVisible();
      const count = await active.count();
      for (let i = 0; i < count; i++) {
        await active.first().getByRole('button', { name: /^End the session/ }).click();
        // The page re-renders after the action: the row shows its new state and loses its button.
        await expect(active).toHaveCount(count - i - 1);
      }
      await admin.reload();
      await expect(active).toHaveCount(0);
      await expect(admin.getByTestId('session-row').filter({ hasText: 'Ended by an admin' })).toHaveCount(count);
    } finally {
      await adminContext.close();
    }

    await page.goto('/');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  });

  test('the home page is accessible, has no-store, and fits a phone screen', async ({ page, signInAs }) => {
    await page.setViewportSize({ width: 375, height: 740 });
    await signInAs('alice@example.com');
    const response = await page.reload();
    expect(response!.headers()['cache-control']).toContain('no-store');
    await expect(page.getByTestId('iam-user').first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });

  test('the shell can be used with the keyboard alone', async ({ page, signInAs }) => {
    await signInAs('carol@example.com');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.getByRole('link', { name: 'Accounts and audit' }).evaluate((el) => el === document.activeElement);
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Accounts and audit', level: 1 })).toBeVisible();
  });
});

test.describe('access-key sign-in', () => {
  test('a seeded user\'s keys sign in to exactly that IAM user', async ({ page, signIn }) => {
    const key = groundTruth().accessKeys.find((k) => k.userName === 'alice')!;
    await signIn.goto();
    await signIn.withKeys(key.accessKeyId, key.secretAccessKey);
    await expect(page.getByRole('heading', { name: 'My IAM users', level: 1 })).toBeVisible();
    const cards = page.getByTestId('iam-user');
    await expect(cards).toHaveCount(1);
    await expect(cards.getByRole('heading', { name: key.userName, exact: true })).toBeVisible();
    await expect(cards).toContainText(key.accountId);
  });

  test('an access-key session signs out of the portal only, without an IdP redirect', async ({ page, signIn }) => {
    const key = groundTruth().accessKeys.find((k) => k.userName === 'alice')!;
    await signIn.goto();
    await signIn.withKeys(key.accessKeyId, key.secretAccessKey);
    await expect(page.getByRole('heading', { name: 'My IAM users', level: 1 })).toBeVisible();
    const ends: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/session/end')) ends.push(r.url());
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin\?signedOut=1/);
    await expect(page.getByText('You are signed out.')).toBeVisible();
    expect(ends).toEqual([]);
    const [audited] = await sql<{ idp: string }>(
      "SELECT detail->>'idpLogout' AS idp FROM audit_log WHERE action = 'auth.sign-out' AND actor LIKE $1 ORDER BY id DESC LIMIT 1",
      [`%${key.userName}`],
    );
    expect(audited?.idp).toBe('false');
  });

  test('a wrong secret, an unknown key and a malformed key each get a clear message', async ({ page, signIn }) => {
    const key = groundTruth().accessKeys[0]!;
    await signIn.goto();
    await signIn.withKeys(key.accessKeyId, 'x'.repeat(40));
    await expect(page.getByRole('main').getByRole('alert')).toHaveText(/AWS did not accept these access keys/);
    await signIn.withKeys('AKIAZZZZZZZZZZZZZZZZ', 'y'.repeat(40));
    await expect(page.getByRole('main').getByRole('alert')).toHaveText(/AWS did not accept these access keys/);
    await signIn.withKeys('not-a-key', 'y'.repeat(40));
    await expect(page.getByText(/An access key ID is 20 characters/)).toBeVisible();
    await expect(page).toHaveURL(/\/signin/);
  });

  test('failed and successful sign-ins are in the audit log', async ({ page, signIn, browser }) => {
    const key = groundTruth().accessKeys[0]!;
    await signIn.goto();
    await signIn.withKeys(key.accessKeyId, 'z'.repeat(40));
    await expect(page.getByRole('main').getByRole('alert')).toBeVisible();
    const admin = await browser.newContext({ baseURL: process.env.E2E_PORTAL_URL });
    const adminPage = await admin.newPage();
    const adminSignIn = new SignInPage(adminPage);
    await adminSignIn.goto();
    await adminSignIn.withIdp('carol@example.com', person('carol@example.com').password);
    // The audit log filtered to sign-ins by these actors: other tests' entries cannot push them off the page.
    await adminPage.goto(`/admin/audit?action=auth.sign-in&actor=${encodeURIComponent(`access-key:${key.accessKeyId}`)}`);
    const failed = adminPage.getByRole('row').filter({ hasText: `access-key:${key.accessKeyId}` }).first();
    await expect(failed).toContainText('failure');
    await expect(failed).toContainText('InvalidKeys');
    await adminPage.goto('/admin/audit?action=auth.sign-in&actor=carol%40example.com');
    await expect(adminPage.getByRole('row').filter({ hasText: 'carol@example.com' }).first()).toContainText('success');
    await admin.close();
  });
});
