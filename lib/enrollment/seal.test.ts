import { describe, expect, it } from 'vitest';
import { seal, unseal } from './seal';

const opts = { serverSecret: 's'.repeat(40), purpose: 'enrollment', context: 'enroll-1|alice@example.com' };

describe('seal', () => {
  it('round-trips and hides the value', () => {
    const sealed = seal({ seed: 'JBSWY3DPEHPK3PXP' }, opts);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(Buffer.from(sealed.split('.')[2]!, 'base64url').toString()).not.toContain('JBSWY3DP');
    expect(unseal(sealed, opts)).toEqual({ seed: 'JBSWY3DPEHPK3PXP' });
  });
  it('refuses tampering, another context, another secret and garbage', () => {
    const sealed = seal({ a: 1 }, opts);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[2] = body.toString('base64url');
    expect(unseal(parts.join('.'), opts)).toBeNull();
    expect(unseal(sealed, { ...opts, context: 'enroll-1|mallory@example.com' })).toBeNull();
    expect(unseal(sealed, { ...opts, serverSecret: 't'.repeat(40) })).toBeNull();
    expect(unseal('v1.x.y', opts)).toBeNull();
    expect(unseal('', opts)).toBeNull();
  });
  it('uses a fresh IV each time', () => {
    expect(seal({ a: 1 }, opts)).not.toBe(seal({ a: 1 }, opts));
  });
  it('refuses a tag cut short (GCM would otherwise accept 4 bytes) or grown', () => {
    const sealed = seal({ a: 1 }, opts);
    const parts = sealed.split('.');
    const tag = Buffer.from(parts[3]!, 'base64url');
    expect(tag.length).toBe(16);
    for (const length of [4, 8, 12, 15]) {
      expect(unseal([...parts.slice(0, 3), tag.subarray(0, length).toString('base64url')].join('.'), opts)).toBeNull();
    }
    expect(unseal([...parts.slice(0, 3), Buffer.concat([tag, Buffer.from([0])]).toString('base64url')].join('.'), opts)).toBeNull();
  });
  it('opens values sealed under a previous secret listed for rotation, and only those', () => {
    const old = seal({ a: 1 }, { ...opts, serverSecret: 'o'.repeat(40) });
    expect(unseal(old, opts)).toBeNull();
    expect(unseal(old, { ...opts, previousSecrets: ['o'.repeat(40)] })).toEqual({ a: 1 });
    expect(unseal(old, { ...opts, previousSecrets: ['x'.repeat(40)] })).toBeNull();
    expect(unseal(old, { ...opts, context: 'enroll-1|mallory@example.com', previousSecrets: ['o'.repeat(40)] })).toBeNull();
    expect(unseal(seal({ b: 2 }, opts), { ...opts, previousSecrets: ['o'.repeat(40)] })).toEqual({ b: 2 });
  });
});
