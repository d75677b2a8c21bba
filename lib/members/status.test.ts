import { describe, expect, it } from 'vitest';
import { toMfaDevice } from '@/lib/aws/mfa-devices';
import { mfaStatusOf } from './status';

describe('mfaStatusOf', () => {
  it('is protected with any device, missing with a password and none, no-console otherwise', () => {
    const d = [toMfaDevice('GAHT1', null)];
    expect(mfaStatusOf(true, d)).toBe('protected');
    expect(mfaStatusOf(false, d)).toBe('protected');
    expect(mfaStatusOf(true, [])).toBe('missing');
    expect(mfaStatusOf(false, [])).toBe('no-console');
  });
});
