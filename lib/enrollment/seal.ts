import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Sealing: AES-256-GCM with a key derived from the server secret. A sealed value can be read only by
 * this server, and any change to it (or use under another name/actor) fails authentication.
 */
const VERSION = 'v1';
/** GCM accepts shorter tags unless told otherwise; a 4-byte tag would be forgeable by brute force. */
const TAG_BYTES = 16;
const IV_BYTES = 12;

type SealOptions = { serverSecret: string; purpose: string; context: string };
/** `previousSecrets`: secrets in rotation, tried after the current one so values sealed before a change still open. */
type UnsealOptions = SealOptions & { previousSecrets?: readonly string[] };

function keyFor(serverSecret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, 'mfa-portal-seal', purpose, 32));
}

export function seal(value: unknown, opts: SealOptions): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(opts.serverSecret, opts.purpose), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(opts.context));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

function open(secret: string, purpose: string, context: string, iv: Buffer, body: Buffer, tag: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, purpose), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return null;
  }
}

/** The sealed value, or null when it was tampered with, sealed for another context, or malformed. */
export function unseal<T>(sealed: string, opts: UnsealOptions): T | null {
  const [version, ivText, bodyText, tagText, extra] = sealed.split('.');
  if (version !== VERSION || !ivText || !bodyText || !tagText || extra !== undefined) return null;
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return null;
  const body = Buffer.from(bodyText, 'base64url');
  for (const secret of [opts.serverSecret, ...(opts.previousSecrets ?? [])]) {
    const plain = open(secret, opts.purpose, opts.context, iv, body, tag);
    if (!plain) continue;
    try {
      return JSON.parse(plain.toString('utf8')) as T;
    } catch {
      return null;
    }
  }
  return null;
}
