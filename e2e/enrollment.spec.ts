import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Page } from '@playwright/test';
import { decode, encode } from 'next-auth/jwt';
import { hardwareTokenSchema } from '../infra/local/ground-truth';
import { base32Secret, schedulerAuth } from './support/secrets';
import { expect, groundTruth, test } from './fixtures';
import { addFidoKey, createTestUser, env, listDevices, unassignedDevicesOf } from './support/iam';
import { codePair, enrollVirtual, enterCodes, signInWithKeys, startVirtual } from './support/enroll';

/** The hours:minutes a phone `aheadMs` ahead of the real time shows, in the browser's time zone. */
const phoneTime = (page: Page, aheadMs: number) =>
  page.evaluate((ms) => {
    const d = new Date(ms);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }, Date.now() + aheadMs);

test.describe('virtual authenticator', () => {
  test('a wrong pair, then a drifted pair, get specific messages; then the right pair turns MFA on', async ({ page }) => {
    const user = await createTestUser('virtual');
    await signInWithKeys(page, user);
    const key = await startVirtual(page, user);
    const alert = page.getByRole('main').getByRole('alert');

    await enterCodes(page, codePair(base32Secret()));
    await page.getByRole('button', { name: 'Turn on MFA' }).click();
    await expect(alert).toHaveText(/do not match this QR code/);

    await enterCodes(page, codePair(key, -10));
    await page.getByRole('button', { name: 'Turn on MFA' }).click();
    await expect(alert).toHaveText(/match a clock about \d+ minutes behind/);

    await enterCodes(page, codePair(key));
    await page.getByRole('button', { name: 'Turn on MFA' }).click();
    await expect(page.getByRole('heading', { name: `MFA is on for ${user.userName}` })).toBeVisible();

    await page.goto('/');
    const card = page.getByTestId('iam-user');
    await expect(card.getByTestId('mfa-status')).toHaveAttribute('data-status', 'protected');
    await expect(card.getByTestId('mfa-device')).toHaveAttribute('data-type', 'virtual');
    expect(await listDevices(user)).toEqual([expect.stringMatching(new RegExp(`:mfa/mfa-portal/${user.userName}/`))]);
  });

  test('abandoning a setup and starting again works, and leaves no device behind', async ({ page }) => {
    const user = await createTestUser('abandon');
    await signInWithKeys(page, user);
    const first = await startVirtual(page, user);
    expect(await unassignedDevicesOf(user)).toHaveLength(1);
    await page.goto('/devices');
    const second = await startVirtual(page, user);
    expect(second).not.toBe(first);
    await enterCodes(page, codePair(second));
    await page.getByRole('button', { name: 'Turn on MFA' }).click();
    await expect(page.getByRole('heading', { name: `MFA is on for ${user.userName}` })).toBeVisible();
    expect(await unassignedDevicesOf(user)).toEqual([]);
    expect(await listDevices(user)).toHaveLength(1);
  });

  test('cancel deletes the pending device at once', async ({ page }) => {
    const user = await createTestUser('cancel');
    await signInWithKeys(page, user);
    await startVirtual(page, user);
    await page.getByRole('button', { name: 'Cancel this setup' }).click();
    await expect(page.getByRole('button', { name: 'Create and show the QR code' })).toBeVisible();
    expect(await unassignedDevicesOf(user)).toEqual([]);
  });

  test('too many wrong codes: the dead QR code, key and countdown go, and step 1 returns with the reason', async ({ page }) => {
    const user = await createTestUser('toomany');
    await signInWithKeys(page, user);
    await startVirtual(page, user);
    const alert = page.getByRole('main').getByRole('alert');
    // Each attempt waits for its own answer (the alert's text is the same every time).
    const submit = () =>
      Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/enroll/virtual')), page.getByRole('button', { name: 'Turn on MFA' }).click()]);
    for (let i = 1; i < 5; i++) {
      await enterCodes(page, ['000000', '111111']);
      await submit();
      await expect(alert).toHaveText(/do not match this QR code/);
    }
    await enterCodes(page, ['000000', '111111']);
    await page.getByRole('button', { name: 'Turn on MFA' }).click();

    const ended = page.getByTestId('setup-ended');
    await expect(ended).toContainText('That setup has ended');
    await expect(ended).toContainText(/Too many wrong codes for this setup, so it was cancelled/);
    await expect(ended).not.toContainText(/another session/);
    await expect(ended).toBeFocused();
    await expect(page.getByRole('img', { name: /QR code to add/ })).toHaveCount(0);
    await expect(page.getByTestId('manual-key')).toHaveCount(0);
    await expect(page.getByText(/Finish within/)).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Create and show the QR code' })).toBeVisible();
    expect(await unassignedDevicesOf(user)).toEqual([]);

    // Starting again from step 1 works at once.
    await page.getByRole('button', { name: 'Create and show the QR code' }).click();
    await expect(page.getByRole('img', { name: /QR code to add/ })).toBeVisible();
    await expect(page.getByTestId('setup-ended')).toHaveCount(0);
  });

  test('a backup device can be added next to the first', async ({ page }) => {
    const user = await createTestUser('backup');
    await signInWithKeys(page, user);
    await enrollVirtual(page, user, 'phone');
    await page.getByRole('link', { name: 'Add a backup device' }).click();
    await page.getByRole('link', { name: 'Authenticator app' }).click();
    await page.getByLabel('Device name').fill('tablet');
    await page.getByRole('button', { name: 'Create and show the QR code' }).click();
    const key = (await page.getByTestId('manual-key').innerText()).replace(/\s/g, '');
    await enterCodes(page, codePair(key));
    await page.getByRole('button', { name: 'Turn on MFA' }).click();
    await expect(page.getByRole('heading', { name: `MFA is on for ${user.userName}` })).toBeVisible();
    await page.goto('/devices');
    await expect(page.getByTestId('device')).toHaveCount(2);
  });

  test('the ninth device is refused clearly', async ({ page }) => {
    const user = await createTestUser('ninth');
    for (let i = 0; i < 8; i++) await addFidoKey(user, `key${i}`);
    await signInWithKeys(page, user);
    await page.goto(`/enroll/virtual?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`);
    await page.getByRole('button', { name: 'Create and show the QR code' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText(/already has 8 MFA devices, the most AWS allows/);
    expect(await unassignedDevicesOf(user)).toEqual([]);
  });
});

test.describe('hardware token', () => {
  test('wrong codes are refused, then a token from the inventory is enrolled', async ({ page }) => {
    const tokens = hardwareTokenSchema.array().parse(JSON.parse(readFileSync(env('E2E_HARDWARE_TOKENS'), 'utf8')));
    const spare = tokens.find((t) => !t.userName)!;
    expect(spare).toBeDefined();
    const user = await createTestUser('hardware');
    await signInWithKeys(page, user);
    await page.goto(`/enroll/hardware?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`);
    await page.getByLabel('Serial number').fill('gaht 1234');
    await enterCodes(page, ['123456', '654321']);
    await page.getByRole('button', { name: 'Turn on MFA with this token' }).click();
    await expect(page.getByText('A token serial has only letters, digits')).toBeVisible();

    await page.getByLabel('Serial number').fill(spare.serial);
    await enterCodes(page, codePair(base32Secret()));
    await page.getByRole('button', { name: 'Turn on MFA with this token' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText(/did not accept these codes for this token/);
    await expect(page.getByLabel('Serial number')).toHaveValue(spare.serial);

    await enterCodes(page, codePair(spare.secretBase32));
    await page.getByRole('button', { name: 'Turn on MFA with this token' }).click();
    await expect(page.getByRole('heading', { name: `MFA is on for ${user.userName}` })).toBeVisible();
    expect(await listDevices(user)).toEqual([spare.serial]);
  });

  test('a serial AWS does not know gets its own message', async ({ page }) => {
    const user = await createTestUser('hw-unknown');
    await signInWithKeys(page, user);
    await page.goto(`/enroll/hardware?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`);
    await page.getByLabel('Serial number').fill('GAHT99999999999');
    await enterCodes(page, ['123456', '654321']);
    await page.getByRole('button', { name: 'Turn on MFA with this token' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText(/does not know a hardware token with serial GAHT99999999999/);
  });
});

test.describe('FIDO security key', () => {
  test('the portal detects a key registered in the console', async ({ page }) => {
    const user = await createTestUser('fido');
    await signInWithKeys(page, user);
    await page.goto(`/enroll/fido?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`);
    await expect(page.getByText(/This browser (supports|cannot use) security keys/)).toBeVisible();
    const link = page.getByRole('link', { name: /Open the AWS console/ });
    expect(await link.getAttribute('href')).toBe(
      `https://acme-dev.signin.aws.amazon.com/console?redirect_uri=${encodeURIComponent('https://console.aws.amazon.com/iam/home#/security_credentials')}`,
    );
    await page.getByRole('button', { name: 'Check for my key' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Looking for a new security key' })).toBeVisible();
    const serial = await addFidoKey(user, 'yubikey');
    // Like the other kinds, it ends on the done page (which reads the devices from AWS itself).
    await expect(page.getByRole('heading', { name: `MFA is on for ${user.userName}` })).toBeVisible({ timeout: 20_000 });
    await expect(page).toHaveURL(/\/enroll\/done\?type=fido&/);
    expect(await listDevices(user)).toEqual([serial]);
  });
});

test.describe('my devices', () => {
  test('resync a drifted device, then prove it works for the CLI', async ({ page }) => {
    const user = await createTestUser('resync');
    await signInWithKeys(page, user);
    const key = await enrollVirtual(page, user);
    await page.goto('/devices');
    await page.getByRole('button', { name: /^Resync / }).click();
    const resync = page.getByRole('form', { name: /^Resync / });
    // The phone is 4 minutes ahead: its codes and the time it shows. The portal refuses to tie AWS to that clock.
    await resync.getByLabel('Time on your phone now').fill(await phoneTime(page, 4 * 60_000));
    await resync.getByLabel('First code').fill(codePair(key, 8)[0]);
    await resync.getByLabel('Second code').fill(codePair(key, 8)[1]);
    await resync.getByRole('button', { name: 'Resync device' }).click();
    await expect(resync.getByRole('alert')).toHaveText(/about 4 minutes ahead.*Fix the phone's time first.*not resynchronised/);

    // A phone within a minute of the real time whose codes are a step or two late is resynced.
    await resync.getByLabel('Time on your phone now').fill(await phoneTime(page, 0));
    await resync.getByLabel('First code').fill(codePair(key, 2)[0]);
    await resync.getByLabel('Second code').fill(codePair(key, 2)[1]);
    await resync.getByRole('button', { name: 'Resync device' }).click();
    await expect(resync.getByRole('status')).toHaveText(/Device resynchronised/);

    await page.getByRole('button', { name: /^Test / }).click();
    const cli = page.getByRole('form', { name: /for the CLI/ });
    await cli.getByLabel('Access key ID').fill(user.accessKeyId);
    await cli.getByLabel('Secret access key').fill(user.secretAccessKey);
    await cli.getByLabel('Current code').fill(codePair(key, 2)[1]);
    await cli.getByRole('button', { name: 'Test with the CLI path' }).click();
    await expect(cli.getByRole('status')).toHaveText(/It works/);

    const consoleForm = page.getByRole('form', { name: /console sign-in test/ });
    await consoleForm.getByLabel('Yes, I signed in').check();
    await consoleForm.getByRole('button', { name: 'Record result' }).click();
    await expect(consoleForm.getByRole('status')).toHaveText(/console sign-in with this device works/);
  });

  test('each device shows its serial with a copyable get-session-token line (keyboard only)', async ({ page, context, baseURL }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL! });
    const user = await createTestUser('cliline');
    await signInWithKeys(page, user);
    await enrollVirtual(page, user, 'cli-phone');
    const [serial] = await listDevices(user);
    await page.goto('/devices');
    const device = page.getByTestId('device');
    await expect(device.getByTestId('device-serial')).toHaveText(serial!);
    const summary = device.getByText('Use it with the AWS CLI');
    const line = device.getByTestId('cli-line');
    // Opened from the keyboard. A press that lands while the page is still hydrating can be undone by the re-render,
    // so the press is repeated until the section stays open.
    await expect(async () => {
      if (!(await device.locator('details').evaluate((d) => (d as HTMLDetailsElement).open))) {
        await summary.focus();
        await page.keyboard.press('Enter');
      }
      await expect(line.getByRole('button', { name: 'Copy the CLI command for cli-phone' })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(line.locator('code')).toHaveText(`aws sts get-session-token --serial-number ${serial} --token-code <code>`);
    await line.getByRole('button', { name: 'Copy the CLI command for cli-phone' }).focus();
    await page.keyboard.press('Enter');
    await expect(line).toContainText('Copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`aws sts get-session-token --serial-number ${serial} --token-code <code>`);
    await expect(page.getByTestId('fido-cli-note')).toHaveCount(0);
  });

  test('a user with only a security key is told about aws login, and what is not known', async ({ page }) => {
    const user = await createTestUser('fidocli');
    await signInWithKeys(page, user);
    await addFidoKey(user, 'only-key');
    await page.goto('/devices');
    const note = page.getByTestId('fido-cli-note');
    await expect(note).toContainText('aws login');
    await expect(note).toContainText('AWS CLI 2.32 or later');
    await expect(note).toContainText('SignInLocalDevelopmentAccess');
    await expect(note).toContainText(/does not document whether sessions from aws login carry aws:MultiFactorAuthPresent/);
    await expect(page.getByTestId('cli-line')).toHaveCount(0);
  });

  test('remove needs a fresh sign-in, and never takes the last device of a console user', async ({ page, context, baseURL }) => {
    const user = await createTestUser('remove');
    await signInWithKeys(page, user);
    await enrollVirtual(page, user, 'old-phone');
    await enrollVirtual(page, user, 'new-phone');

    // Make the session look as if the sign-in was 10 minutes ago (same identity, older authTime).
    const secret = env('E2E_NEXTAUTH_SECRET');
    const cookie = (await context.cookies()).find((c) => c.name === 'next-auth.session-token')!;
    const token = (await decode({ token: cookie.value, secret }))!;
    const stale = await encode({ token: { ...token, authTime: Math.floor(Date.now() / 1000) - 600 }, secret });
    await context.addCookies([{ name: cookie.name, value: stale, url: baseURL! }]);

    await page.goto('/devices');
    await page.getByRole('button', { name: 'Remove old-phone' }).click();
    const remove = page.getByRole('form', { name: 'Remove old-phone' });
    await remove.getByRole('button', { name: 'Remove device' }).click();
    await expect(remove.getByRole('alert')).toHaveText(/needs a fresh sign-in/);
    await remove.getByRole('button', { name: 'Sign in again' }).click();
    await expect(page).toHaveURL(/\/signin\?reauth=1/);
    await page.getByLabel('Access key ID').fill(user.accessKeyId);
    await page.getByLabel('Secret access key').fill(user.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in with access keys' }).click();
    await expect(page).toHaveURL(/\/devices$/);

    const oldSerial = (await listDevices(user)).find((s) => s.includes('old-phone'))!;
    await page.getByRole('button', { name: 'Remove old-phone' }).click();
    await page.getByRole('form', { name: 'Remove old-phone' }).getByRole('button', { name: 'Remove device' }).click();
    await expect(page.getByTestId('device')).toHaveCount(1);
    // What was removed is confirmed (type, name, serial) where it stays readable, and focus lands on it.
    const removed = page.getByTestId('removed-notice');
    await expect(removed).toContainText(`Removed authenticator app “old-phone” (serial ${oldSerial}) from ${user.userName}.`);
    await expect(removed).toBeFocused();
    expect(await listDevices(user)).toEqual([expect.stringContaining('new-phone')]);

    await page.getByRole('button', { name: 'Remove new-phone' }).click();
    const last = page.getByRole('form', { name: 'Remove new-phone' });
    await last.getByRole('button', { name: 'Remove device' }).click();
    await expect(last.getByRole('alert')).toHaveText(/only MFA device of an IAM user that can sign in to the console/);
    expect(await listDevices(user)).toHaveLength(1);
  });
});

test.describe('security', () => {
  test('a forged request for another person\'s IAM user is refused and audited', async ({ page }) => {
    const user = await createTestUser('forger');
    await signInWithKeys(page, user);
    await page.goto(`/enroll/virtual?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`);
    const victim = groundTruth().users.find((u) => u.userName === 'alice')!;
    await page.locator('input[name="principal"]').evaluate((el, v) => ((el as HTMLInputElement).value = v), `${victim.accountId}/${victim.userName}`);
    await page.getByRole('button', { name: 'Create and show the QR code' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText(/not one of yours/);
    expect((await listDevices({ ...user, accountId: victim.accountId, userName: victim.userName })).length).toBe(victim.devices.length);

    const db = new pg.Client({ connectionString: env('E2E_DATABASE_URL') });
    await db.connect();
    try {
      const { rows } = await db.query("SELECT actor, target, outcome FROM audit_log WHERE action = 'enrollment.virtual.start' AND outcome = 'denied'");
      expect(rows).toContainEqual({ actor: `arn:aws:iam::${user.accountId}:user/${user.userName}`, target: victim.arn, outcome: 'denied' });
    } finally {
      await db.end();
    }
  });

  test('after an enrollment the seed is in no log, no database row and no later response', async ({ page }) => {
    const user = await createTestUser('secret');
    await signInWithKeys(page, user);
    const key = await enrollVirtual(page, user);
    expect(key).toMatch(/^[A-Z2-7]{16,}$/);
    const needles = [key, key.toLowerCase(), Buffer.from(key).toString('base64')];

    for (const path of ['/', '/devices', `/enroll/done?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`, '/enroll']) {
      await page.goto(path);
      const html = await page.content();
      for (const n of needles) expect(html, path).not.toContain(n);
    }
    const session = await page.request.get('/api/auth/session');
    for (const n of needles) expect(await session.text()).not.toContain(n);

    const db = new pg.Client({ connectionString: env('E2E_DATABASE_URL') });
    await db.connect();
    try {
      const { rows: tables } = await db.query("SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
      expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(['audit_log', 'enrollment_events']));
      for (const { schemaname, tablename } of tables) {
        const { rows } = await db.query(`SELECT * FROM "${schemaname}"."${tablename}"`);
        const dump = JSON.stringify(rows);
        for (const n of needles) expect(dump, tablename).not.toContain(n);
      }
    } finally {
      await db.end();
    }
    const logs = readFileSync(env('E2E_PORTAL_LOG_FILE'), 'utf8');
    for (const n of needles) expect(logs).not.toContain(n);
  });
});

test.describe('authorization of actions and routes', () => {
  test('an action sent after the session ended is refused with a clear message', async ({ page, context }) => {
    const user = await createTestUser('expired');
    await signInWithKeys(page, user);
    await page.goto(`/enroll/virtual?user=${encodeURIComponent(`${user.accountId}/${user.userName}`)}`);
    await context.clearCookies();
    await page.getByRole('button', { name: 'Create and show the QR code' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText(/Your session has ended/);
    expect(await unassignedDevicesOf(user)).toEqual([]);
  });

  test('the leftover sweep route runs only with the scheduler\'s token: a session cookie alone, even an admin\'s, gets 401', async ({ playwright, baseURL, signInAs, page }) => {
    const anonymous = await playwright.request.newContext({ baseURL });
    expect((await anonymous.post('/api/cron/sweep-leftovers')).status()).toBe(401);
    expect((await anonymous.post('/api/cron/sweep-leftovers', { headers: { Authorization: `Bearer ${'x'.repeat(40)}` } })).status()).toBe(401);

    await signInAs('bob@example.com');
    expect((await page.request.post('/api/cron/sweep-leftovers')).status()).toBe(401);
    await page.context().clearCookies();

    // What the pen test did: a page on another origin posting with the admin's cookie.
    await signInAs('carol@example.com');
    expect((await page.request.post('/api/cron/sweep-leftovers')).status()).toBe(401);
    expect((await page.request.post('/api/cron/sweep-leftovers', { headers: { Origin: 'http://evil.example' } })).status()).toBe(403);

    const res = await anonymous.post('/api/cron/sweep-leftovers', { headers: schedulerAuth() });
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { results: { accountId: string; deleted: number }[] };
    await anonymous.dispose();
    expect(body.results.map((r) => r.accountId).sort()).toEqual(groundTruth().accounts.map((a) => a.id).sort());
  });
});
