import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '@/lib/env';

const valid = {
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'x'.repeat(32),
  MFA_ACCOUNTS: '111111111111',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
  MFA_ROLE_GROUPS_ACCOUNTS: '111111111111',
};

const problem = (value: string) => {
  try {
    parseEnv({ ...valid, MFA_RECOVERY_MAX_GRACE_HOURS: value });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
};

describe('MFA_RECOVERY_MAX_GRACE_HOURS', () => {
  it('is 24 by default, any whole number of hours from 1 to 168', () => {
    expect(parseEnv(valid).MFA_RECOVERY_MAX_GRACE_HOURS).toBe(24);
    expect(parseEnv({ ...valid, MFA_RECOVERY_MAX_GRACE_HOURS: '1' }).MFA_RECOVERY_MAX_GRACE_HOURS).toBe(1);
    expect(parseEnv({ ...valid, MFA_RECOVERY_MAX_GRACE_HOURS: '168' }).MFA_RECOVERY_MAX_GRACE_HOURS).toBe(168);
  });
  it('refuses 0, more than a week, fractions and words, naming the setting', () => {
    expect(problem('0')).toMatch(/^MFA_RECOVERY_MAX_GRACE_HOURS must be at least 1 hour/);
    expect(problem('169')).toMatch(/^MFA_RECOVERY_MAX_GRACE_HOURS must be at most 168 hours/);
    expect(problem('1.5')).toMatch(/^MFA_RECOVERY_MAX_GRACE_HOURS must be a whole number of hours/);
    expect(problem('a day')).toMatch(/^MFA_RECOVERY_MAX_GRACE_HOURS must be a whole number of hours/);
  });
});
