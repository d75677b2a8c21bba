import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '@/lib/env';

const valid = {
  NEXTAUTH_URL: 'http://127.0.0.1:3000',
  NEXTAUTH_SECRET: 'x'.repeat(32),
  MFA_ACCOUNTS: '111111111111',
  MFA_MEMBER_ROLE_EXTERNAL_ID: 'ext-id-1',
};

const problems = (extra: Record<string, string>): string[] => {
  try {
    parseEnv({ ...valid, ...extra });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
};

describe('operations settings', () => {
  it('default to no metrics route and a 25 s grace period', () => {
    const env = parseEnv(valid);
    expect([env.MFA_METRICS_TOKEN, env.MFA_SHUTDOWN_GRACE_SECONDS]).toEqual([undefined, 25]);
    expect(parseEnv({ ...valid, MFA_METRICS_TOKEN: '' }).MFA_METRICS_TOKEN).toBeUndefined();
  });

  it('take a metrics token of at least 32 characters and a grace period of 1 to 30 whole seconds', () => {
    const env = parseEnv({ ...valid, MFA_METRICS_TOKEN: 'm'.repeat(32), MFA_SHUTDOWN_GRACE_SECONDS: '30' });
    expect([env.MFA_METRICS_TOKEN, env.MFA_SHUTDOWN_GRACE_SECONDS]).toEqual(['m'.repeat(32), 30]);
    expect(problems({ MFA_METRICS_TOKEN: 'short' })).toEqual(['MFA_METRICS_TOKEN must be at least 32 characters (it authorizes the metrics scraper)']);
    expect(problems({ MFA_SHUTDOWN_GRACE_SECONDS: '31' })).toEqual(['MFA_SHUTDOWN_GRACE_SECONDS must be at most 30 seconds: the process must have exited within 30 s of SIGTERM']);
    expect(problems({ MFA_SHUTDOWN_GRACE_SECONDS: '0' })).toEqual(['MFA_SHUTDOWN_GRACE_SECONDS must be at least 1 second']);
    expect(problems({ MFA_SHUTDOWN_GRACE_SECONDS: '2.5' })).toEqual(['MFA_SHUTDOWN_GRACE_SECONDS must be a whole number of seconds']);
  });
});
