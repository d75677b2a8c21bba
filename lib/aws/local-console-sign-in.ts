import 'server-only';
import { getEnv } from '@/lib/env';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * The local stack only: tells the AWS stand-in that this IAM user signed in to the console now, as AWS itself
 * records (the credential report's password_last_used). In AWS the sign-in is recorded by AWS; this does nothing
 * unless AWS_ENDPOINT_URL points at a stand-in on this machine. Best effort: the member's recorded test stands
 * whatever the stand-in answers.
 */
export async function noteLocalConsoleSignIn(principal: { accountId: string; userName: string }): Promise<boolean> {
  const endpoint = getEnv().AWS_ENDPOINT_URL;
  if (!endpoint || !LOOPBACK.has(new URL(endpoint).hostname)) return false;
  try {
    const res = await fetch(new URL('/_local/console-sign-in', endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: principal.accountId, userName: principal.userName }),
      signal: AbortSignal.timeout(3000),
    });
    return res.ok;
  } catch {
    return false;
  }
}
