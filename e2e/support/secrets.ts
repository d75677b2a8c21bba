import { randomBytes } from 'node:crypto';
import { toBase32 } from '../../infra/local/org-plan';

/** A random base32 TOTP secret: codes from it stand for "some other device". */
export const base32Secret = (bytes = 20): string => toBase32(randomBytes(bytes));
