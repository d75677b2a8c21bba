import { randomBytes } from 'node:crypto';
import { toBase32 } from '../../infra/local/totp';
import { env } from './iam';
import { recordSecret } from './seen-secrets';

/** `Authorization: Bearer <MFA_CRON_SECRET>` of the portal under test: the scheduler's only way into /api/cron/*. */
export function schedulerAuth(): { Authorization: string } {
  return { Authorization: `Bearer ${env('E2E_CRON_SECRET')}` };
}

/** A random base32 TOTP secret: codes from it stand for "some other device". */
export const base32Secret = (bytes = 20): string => {
  const secret = toBase32(randomBytes(bytes));
  recordSecret('seed', secret);
  return secret;
};
