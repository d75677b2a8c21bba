import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '@/lib/env';

const valid = {
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'x'.repeat(32),
  MFA_ACCOUNTS: '111111111111',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
};

const problems = (extra: Record<string, string>) => {
  try {
    parseEnv({ ...valid, ...extra });
  } catch (error) {
    return (error as ConfigError).problems;
  }
  return [];
};

describe('inventory settings', () => {
  it('default: no in-process schedule, devices listed only where needed', () => {
    const env = parseEnv(valid);
    expect(env.MFA_INVENTORY_REFRESH_MINUTES).toBe(0);
    expect(env.MFA_INVENTORY_LIST_ALL_DEVICES).toBe(false);
  });

  it('parses the values', () => {
    const env = parseEnv({ ...valid, MFA_INVENTORY_REFRESH_MINUTES: '360', MFA_INVENTORY_LIST_ALL_DEVICES: 'true' });
    expect(env.MFA_INVENTORY_REFRESH_MINUTES).toBe(360);
    expect(env.MFA_INVENTORY_LIST_ALL_DEVICES).toBe(true);
  });

  it('names the setting and what it expects', () => {
    expect(problems({ MFA_INVENTORY_REFRESH_MINUTES: 'hourly' })).toEqual([expect.stringMatching(/^MFA_INVENTORY_REFRESH_MINUTES must be a whole number of minutes/)]);
    expect(problems({ MFA_INVENTORY_REFRESH_MINUTES: '1.5' })).toEqual([expect.stringMatching(/^MFA_INVENTORY_REFRESH_MINUTES must be a whole number/)]);
    expect(problems({ MFA_INVENTORY_REFRESH_MINUTES: '-5' })).toEqual([expect.stringMatching(/^MFA_INVENTORY_REFRESH_MINUTES must be 0 \(off\)/)]);
    expect(problems({ MFA_INVENTORY_LIST_ALL_DEVICES: 'yes' })).toEqual(['MFA_INVENTORY_LIST_ALL_DEVICES must be true or false']);
  });
});
