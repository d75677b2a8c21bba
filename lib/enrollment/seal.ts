import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Sealing: AES-256-GCM with a key derived from the server secret. A sealed value can be read only by
 * this server, and any change to it (or use under another name/actor) fails authentication.
 */
const VERSION = 'v1';

function keyFor(serverSecret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, 'mfa-portal-seal', purpose, 32));
}

export function seal(value: unknown, opts: { serverSecret: string; purpose: string; context: string }): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(opts.serverSecret, opts.purpose), iv);
  cipher.setAAD(Buffer.from(opts.context));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The sealed value, or null when it was tampered with, sealed for another context, or malformed. */
export function unseal<T>(sealed: string, opts: { serverSecret: string; purpose: string; context: string }): T | null {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== VERSION || !iv || !body || !tag) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(opts.serverSecret, opts.purpose), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(opts.context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  } catch {
    return null;
  }
}
