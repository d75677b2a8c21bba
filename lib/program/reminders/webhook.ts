import 'server-only';
import { isAllowedWebhookUrl } from '@/lib/env';
import type { WebhookPayload } from '../messages/compose';

export const WEBHOOK_TIMEOUT_MS = 5000;

/** How one delivery ended, on any channel: the provider's message id, or the reason it failed. */
export type Delivery = { ok: true; messageId: string | null } | { ok: false; error: string };

/** Only the host of the webhook is ever shown or recorded: the rest of its URL is usually a credential. */
export const webhookHost = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'webhook';
  }
};

/** POSTs the payload; 2xx is success, anything else (status, timeout, refused connection) a failure with the reason. */
export async function postWebhook(url: string, payload: WebhookPayload, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<Delivery> {
  if (!isAllowedWebhookUrl(url)) return { ok: false, error: 'The webhook URL must be https (http only on loopback).' };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
      // A redirect could carry people's details somewhere the configuration did not name.
      redirect: 'manual',
      cache: 'no-store',
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, messageId: null };
    return { ok: false, error: `The webhook answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.` };
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ok: false, error: `The webhook did not answer within ${timeoutMs / 1000} s.` };
    return { ok: false, error: `The webhook could not be reached (${e.cause?.code ?? e.name ?? 'error'}).` };
  }
}
