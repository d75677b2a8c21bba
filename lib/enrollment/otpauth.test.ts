import { describe, expect, it } from 'vitest';
import { TOTP, URI } from 'otpauth';
import { normaliseSecret, otpauthUri } from './otpauth';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('otpauthUri', () => {
  it('names the issuer and account, and fixes SHA1, 6 digits and 30 seconds', () => {
    const uri = otpauthUri({ issuer: 'AWS acme-dev', account: 'alice@acme-dev', secretBase32: SECRET });
    expect(uri).toBe(`otpauth://totp/AWS%20acme-dev:alice%40acme-dev?secret=${SECRET}&issuer=AWS%20acme-dev&algorithm=SHA1&digits=6&period=30`);
    const parsed = URI.parse(uri) as TOTP;
    expect(parsed).toBeInstanceOf(TOTP);
    expect(parsed.issuer).toBe('AWS acme-dev');
    expect(parsed.label).toBe('alice@acme-dev');
    expect(parsed.secret.base32).toBe(SECRET);
    expect([parsed.algorithm, parsed.digits, parsed.period]).toEqual(['SHA1', 6, 30]);
  });

  it('percent-encodes spaces and @ (never +) in the label and the issuer parameter', () => {
    const uri = otpauthUri({ issuer: 'AWS My Company', account: 'bob smith@My Company', secretBase32: SECRET });
    const [label, query] = uri.slice('otpauth://totp/'.length).split('?') as [string, string];
    expect(label).toBe('AWS%20My%20Company:bob%20smith%40My%20Company');
    expect(new URLSearchParams(query).get('issuer')).toBe('AWS My Company');
    expect(query).toContain('issuer=AWS%20My%20Company');
    expect(uri).not.toMatch(/[ +]/);
  });

  it('keeps a colon inside the issuer or account from splitting the label in the wrong place', () => {
    const uri = otpauthUri({ issuer: 'AWS a:b', account: 'x:y@a:b', secretBase32: SECRET });
    // Exactly one separator, literal or encoded: the one between issuer and account.
    const label = uri.slice('otpauth://totp/'.length).split('?')[0]!;
    expect(label.match(/:|%3A/gi)).toEqual([':']);
    const parsed = URI.parse(uri) as TOTP;
    expect(parsed.issuer).toBe('AWS a-b');
    expect(parsed.label).toBe('x-y@a-b');
  });

  it('writes the secret without padding, spaces or lower case, and the codes it gives are the seed\'s', () => {
    const padded = 'jbsw y3dp ehpk 3pxp====';
    const uri = otpauthUri({ issuer: 'AWS 1', account: 'u@1', secretBase32: padded });
    const secret = new URL(uri.replace('otpauth://', 'https://')).searchParams.get('secret');
    expect(secret).toBe('JBSWY3DPEHPK3PXP');
    expect(uri).not.toContain('=' + '=');
    expect(uri).not.toMatch(/secret=[^&]*=/);
    const now = Date.UTC(2026, 11, 5, 8, 0, 0);
    expect((URI.parse(uri) as TOTP).generate({ timestamp: now })).toBe(new TOTP({ secret: 'JBSWY3DPEHPK3PXP' }).generate({ timestamp: now }));
  });

  it('refuses a seed that is not base32 rather than writing a URI no app can use', () => {
    expect(() => normaliseSecret('not-base32!')).toThrow(/base32/);
    expect(() => otpauthUri({ issuer: 'AWS 1', account: 'u@1', secretBase32: '0189' })).toThrow(/base32/);
    expect(() => normaliseSecret('==')).toThrow(/base32/);
  });
});
