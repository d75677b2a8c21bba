/**
 * What the logger refuses to write. Two layers: keys that name a secret are censored whatever their value (pino's
 * `redact` paths, and the same names at any depth in `scrubValue`), and values that look like a secret are censored
 * wherever they appear, in messages too: a Base32 TOTP seed, a 6-digit code next to a code word, an AWS secret access
 * key, a JWT/JWE (session cookies), an STS session token.
 */

export const CENSOR = '[redacted]';

/** Key names whose value is never logged (compared case-insensitively, without - and _). */
const SECRET_KEYS = [
  'secret',
  'secretaccesskey',
  'sessiontoken',
  'code1',
  'code2',
  'authenticationcode1',
  'authenticationcode2',
  'otp',
  'seed',
  'base32stringseed',
  'qrcodepng',
  'cookie',
  'setcookie',
  'authorization',
  'password',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'clientsecret',
  'nextauthsecret',
];
const SECRET_KEY_SET = new Set(SECRET_KEYS);

export const isSecretKey = (key: string) => SECRET_KEY_SET.has(key.toLowerCase().replace(/[-_]/g, ''));
// `code` is also an error's code (ECONNRESET, 23505): censored only when it holds digits like a one-time code.
const isCodeKey = (key: string) => key.toLowerCase() === 'code';
const looksLikeOtp = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1e8) || (typeof v === 'string' && /^\s*\d{6,8}\s*$/.test(v));

/** pino `redact` paths: the usual spellings at the top level, one level down and in request headers. */
export const REDACT_PATHS: string[] = [
  'code',
  ...['secret', 'secretAccessKey', 'SecretAccessKey', 'sessionToken', 'SessionToken', 'code1', 'code2', 'AuthenticationCode1', 'AuthenticationCode2', 'otp', 'seed', 'Base32StringSeed', 'QRCodePNG', 'cookie', 'authorization', 'password', 'token', 'clientSecret'].flatMap(
    (k) => [k, `*.${k}`],
  ),
  'headers.cookie',
  'headers.authorization',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
];

// A Base32 seed: 16+ characters of one case from A-Z2-7 with a digit among them (words in capitals have none).
// Access key ids (AKIA…/ASIA…) are identifiers, not secrets, and stay readable.
const BASE32_SEED = /(?<![A-Za-z0-9])(?!AKIA|ASIA)(?:[A-Z2-7]{16,}|[a-z2-7]{16,})(?![A-Za-z0-9])/g;
// An AWS secret access key: exactly 40 base64 characters mixing cases (a SHA-1 in hex has one case only).
const AWS_SECRET = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g;
// JWS (3 parts) or JWE (5 parts, the next-auth session cookie), and any long base64 run (STS session tokens).
const JWT = /eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){2,4}/g;
const LONG_BASE64 = /[A-Za-z0-9+/_-]{100,}={0,2}/g;
// A 6-digit code after a code word: `code1=123456`, `"code": "123456"`, `OTP 123456`.
const CODE_NEAR_KEY = /\b(code[12]?|otp|authenticationcode[12]?|token)(\\?["']?\s*[:=]?\s*\\?["']?\s*)(\d{6})(?!\d)/gi;

const hasDigit = (s: string) => /[2-7]/.test(s);
const mixed = (s: string) => /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9+/]/.test(s);

/** The text with every secret-looking value replaced by the censor. */
export function scrubText(text: string): string {
  return text
    .replace(JWT, CENSOR)
    .replace(LONG_BASE64, CENSOR)
    .replace(AWS_SECRET, (m) => (mixed(m) ? CENSOR : m))
    .replace(BASE32_SEED, (m) => (hasDigit(m) ? CENSOR : m))
    .replace(CODE_NEAR_KEY, (_m, key: string, sep: string) => `${key}${sep}${CENSOR}`);
}

const isPlain = (v: object) => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** A copy of a log record with secret keys censored at any depth and every string scrubbed. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (!isPlain(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const secret = (isSecretKey(key) && v !== undefined && v !== null) || (isCodeKey(key) && looksLikeOtp(v));
    out[key] = secret ? CENSOR : scrubValue(v, depth + 1);
  }
  return out;
}
