/** Name pools for generated people and services; plain ASCII so names are valid IAM user names. */

export const FIRST_NAMES = [
  'aaron', 'abigail', 'adam', 'adrian', 'aisha', 'alan', 'alex', 'amara', 'amelia', 'amir', 'ana', 'andrew',
  'anna', 'arjun', 'ben', 'beatriz', 'camila', 'carlos', 'charlotte', 'chen', 'chloe', 'chris', 'daniel', 'david',
  'diego', 'dmitri', 'elena', 'eli', 'emily', 'emma', 'ethan', 'fatima', 'felix', 'fiona', 'gabriel', 'hana',
  'hannah', 'hiro', 'ian', 'ines', 'isaac', 'ivan', 'jack', 'jane', 'jasmine', 'javier', 'jin', 'john', 'jonas',
  'jose', 'julia', 'kai', 'karen', 'kenji', 'laura', 'leila', 'leo', 'liam', 'lina', 'lucas', 'maria', 'mark',
  'maya', 'mei', 'mohammed', 'nadia', 'noah', 'nora', 'olga', 'omar', 'paul', 'priya', 'rafael', 'raj', 'rosa',
  'ruth', 'sam', 'sara', 'sofia', 'tariq', 'tom', 'yara', 'yusuf', 'zoe',
] as const;

export const LAST_NAMES = [
  'abbott', 'adeyemi', 'alvarez', 'andersen', 'bauer', 'becker', 'bianchi', 'brown', 'castro', 'chandra', 'chen',
  'cohen', 'costa', 'dubois', 'duarte', 'evans', 'fischer', 'fernandes', 'garcia', 'gomez', 'gupta', 'hansen',
  'hughes', 'ito', 'ivanova', 'jensen', 'johnson', 'kaur', 'khan', 'kim', 'klein', 'kumar', 'larsen', 'lee',
  'lopez', 'mensah', 'meyer', 'miller', 'moreno', 'murphy', 'nakamura', 'nielsen', 'novak', 'obrien', 'okonkwo',
  'olsen', 'patel', 'perez', 'petrov', 'quinn', 'reyes', 'richter', 'rossi', 'roy', 'santos', 'sato', 'schmidt',
  'schulz', 'silva', 'singh', 'smith', 'sorensen', 'suzuki', 'tanaka', 'taylor', 'torres', 'tran', 'vargas',
  'walker', 'wang', 'weber', 'williams', 'wong', 'wu', 'yamamoto', 'yilmaz', 'young', 'zhang',
] as const;

/** Teams own applications and pay for them; tags on users follow the team. */
export const TEAMS = {
  platform: { apps: ['kubernetes', 'networking', 'ci-platform'], costCenter: 'CC-1100' },
  payments: { apps: ['billing', 'checkout', 'invoicing'], costCenter: 'CC-1200' },
  data: { apps: ['data-lake', 'analytics', 'reporting'], costCenter: 'CC-1300' },
  web: { apps: ['storefront', 'search', 'cms'], costCenter: 'CC-1400' },
  mobile: { apps: ['mobile-api', 'notifications'], costCenter: 'CC-1500' },
  security: { apps: ['siem', 'secrets', 'audit'], costCenter: 'CC-1600' },
  sre: { apps: ['monitoring', 'logging', 'backup'], costCenter: 'CC-1700' },
} as const;
export type Team = keyof typeof TEAMS;
export const TEAM_NAMES = Object.keys(TEAMS) as Team[];

export const SERVICE_PURPOSES = ['etl', 'sync', 'reports', 'export', 'ingest', 'backup', 'alerts', 'uploader'] as const;
export const AGENT_TOOLS = ['datadog', 'splunk', 'jenkins', 'github-actions', 'grafana', 'pagerduty'] as const;

export const FIDO_NAMES = ['YubiKey', 'yubikey-5c', 'passkey', 'touch-id', 'security-key', 'titan'] as const;
