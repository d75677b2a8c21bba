import type { Env } from '@/lib/env';
import type { FlagRules } from './classify';

/** The flag rules the settings give (MFA_STALE_CONSOLE_DAYS, MFA_SERVICE_USER_TAGS / _PATHS / _GROUPS). */
export function flagRulesFrom(env: Pick<Env, 'MFA_STALE_CONSOLE_DAYS' | 'MFA_SERVICE_USER_TAGS' | 'MFA_SERVICE_USER_PATHS' | 'MFA_SERVICE_USER_GROUPS'>): FlagRules {
  return {
    staleDays: env.MFA_STALE_CONSOLE_DAYS,
    serviceMarkers: {
      tags: env.MFA_SERVICE_USER_TAGS.map((t) => {
        const at = t.indexOf('=');
        return at < 0 ? { key: t, value: null } : { key: t.slice(0, at).trim(), value: t.slice(at + 1).trim() };
      }),
      paths: env.MFA_SERVICE_USER_PATHS,
      groups: env.MFA_SERVICE_USER_GROUPS,
    },
  };
}
