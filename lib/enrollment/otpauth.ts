/**
 * The `otpauth://totp/…` key URI (Google's Key Uri Format, which every common authenticator app reads) for a
 * virtual device. The QR code encodes it and the "Add to authenticator app" link opens it, so both carry exactly
 * the same account. It holds the seed: like the setup key it is shown once and never logged, stored or put in a
 * URL of ours.
 */
export type OtpauthAccount = { issuer: string; account: string; secretBase32: string };

const BASE32 = /^[A-Z2-7]+$/;

/** The colon separates issuer from account in the label, so neither may contain one (not even as %3A). */
const labelPart = (text: string) => encodeURIComponent(text.replace(/:/g, '-').trim());

/** The seed as apps expect it: upper case, no spaces, no `=` padding (several apps refuse padding). */
export function normaliseSecret(secretBase32: string): string {
  const secret = secretBase32.replace(/[\s=]/g, '').toUpperCase();
  if (!BASE32.test(secret)) throw new Error('The seed is not base32.');
  return secret;
}

export function otpauthUri({ issuer, account, secretBase32 }: OtpauthAccount): string {
  const params = [
    `secret=${normaliseSecret(secretBase32)}`,
    // The issuer is said twice, in the label prefix and as a parameter: older apps read one, newer ones the other.
    `issuer=${labelPart(issuer)}`,
    'algorithm=SHA1',
    'digits=6',
    'period=30',
  ];
  return `otpauth://totp/${labelPart(issuer)}:${labelPart(account)}?${params.join('&')}`;
}
