import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { BrowserContext } from '@playwright/test';

/**
 * Every secret a spec handles (access keys' secrets, passwords, seeds, typed codes, cookie values) is appended here,
 * one JSON object a line, so that the log-scan spec can check the whole run's portal log for each of them.
 * The file lives in .test-output (global setup empties it) and holds only the local stack's throwaway credentials.
 */
export type SeenSecret = { kind: 'secret-access-key' | 'password' | 'seed' | 'code' | 'cookie'; value: string };

const file = () => process.env.E2E_SEEN_SECRETS_FILE;

export function recordSecret(kind: SeenSecret['kind'], value: string | undefined): void {
  const target = file();
  if (!target || !value) return;
  appendFileSync(target, `${JSON.stringify({ kind, value } satisfies SeenSecret)}\n`);
}

/** The values of the portal's cookies in the context (session, CSRF, the sealed enrollment cookie). */
export async function recordCookies(context: BrowserContext): Promise<void> {
  for (const cookie of await context.cookies().catch(() => [])) if (cookie.value.length >= 16) recordSecret('cookie', cookie.value);
}

export function readSeenSecrets(): SeenSecret[] {
  const target = file();
  if (!target || !existsSync(target)) return [];
  return readFileSync(target, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SeenSecret);
}
