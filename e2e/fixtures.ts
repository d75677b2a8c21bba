import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { groundTruthSchema, type GroundTruth, type GroundTruthUser } from '../infra/local/ground-truth';
import { recordCookies, recordSecret } from './support/seen-secrets';

let cached: GroundTruth | undefined;

/** The seed's machine-readable description of the local organisation. */
export function groundTruth(): GroundTruth {
  const file = process.env.E2E_GROUND_TRUTH;
  if (!file) throw new Error('E2E_GROUND_TRUTH is not set: run the specs through playwright.config.ts (global setup).');
  cached ??= groundTruthSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  return cached;
}

export function person(email: string) {
  const p = groundTruth().people.find((x) => x.email === email);
  if (!p) throw new Error(`no demo person ${email}`);
  return p;
}

/** The IAM users a person owns: those whose email tag is theirs (what the portal must find). */
export function iamUsersOf(email: string): GroundTruthUser[] {
  return groundTruth().users.filter((u) => u.email?.toLowerCase() === email.toLowerCase());
}

export class SignInPage {
  constructor(private readonly page: Page) {}

  async goto(path = '/signin') {
    await this.page.goto(path);
  }

  /** Company sign-in through the demo IdP's real login form. */
  async withIdp(email: string, password: string) {
    await this.page.getByRole('button', { name: /Sign in with/ }).first().click();
    await expect(this.page.getByRole('heading', { name: /Acme demo identity provider/i })).toBeVisible();
    await this.withIdpForm(email, password);
  }

  /** Fills the demo IdP's login form already on screen. */
  async withIdpForm(email: string, password: string) {
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  async withKeys(accessKeyId: string, secretAccessKey: string) {
    recordSecret('secret-access-key', secretAccessKey);
    await this.page.getByLabel('Access key ID').fill(accessKeyId);
    await this.page.getByLabel('Secret access key').fill(secretAccessKey);
    await this.page.getByRole('button', { name: 'Sign in with access keys' }).click();
  }
}

type Fixtures = {
  signIn: SignInPage;
  signInAs: (email: string) => Promise<void>;
  /** A second browser with its own cookies, signed in through the IdP as `email` (an admin watching what a member just did). */
  signedInElsewhere: (email: string) => Promise<Page>;
};

export const test = base.extend<Fixtures>({
  // After every test: the cookies the portal set (session, enrollment) join the secrets the log scan looks for.
  context: async ({ context }, use) => {
    await use(context);
    await recordCookies(context);
  },
  baseURL: async ({}, use) => {
    const url = process.env.E2E_PORTAL_URL;
    if (!url) throw new Error('E2E_PORTAL_URL is not set: the global setup did not run.');
    await use(url);
  },
  signIn: async ({ page }, use) => {
    await use(new SignInPage(page));
  },
  signInAs: async ({ page, signIn }, use) => {
    await use(async (email: string) => {
      await signIn.goto();
      await signIn.withIdp(email, person(email).password);
      await expect(page.getByRole('heading', { name: 'My IAM users', level: 1 })).toBeVisible();
    });
  },
  signedInElsewhere: async ({ browser, baseURL }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (email: string) => {
      const context = await browser.newContext({ baseURL });
      contexts.push(context);
      const page = await context.newPage();
      const signIn = new SignInPage(page);
      await signIn.goto();
      await signIn.withIdp(email, person(email).password);
      return page;
    });
    for (const context of contexts) {
      await recordCookies(context);
      await context.close();
    }
  },
});

export { expect };
