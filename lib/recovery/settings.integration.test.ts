import { describe, expect, it } from 'vitest';
import { admin, lastAudit, security, setUpEnforcementStack } from '@/test-support/enforcement-stack';
import { setTestEnv } from '@/test-support/env';
import { DEFAULT_CHECKLIST, DEFAULT_GRACE_HOURS, getRecoverySettings, setRecoverySettings } from './settings';

// The security team's recovery checklist and grace: saved in the settings row, audited with before and after, refused to
// anyone else and above the deployment's cap (MFA_RECOVERY_MAX_GRACE_HOURS).
setTestEnv({ MFA_RECOVERY_MAX_GRACE_HOURS: '36' });
setUpEnforcementStack();

describe('recovery settings', () => {
  it('the security team saves the checklist and the grace, audited with what they were before', async () => {
    const before = await getRecoverySettings();
    expect(before).toMatchObject({ checklist: DEFAULT_CHECKLIST, graceHours: DEFAULT_GRACE_HOURS, maxGraceHours: 36 });
    const r = await setRecoverySettings(security, { checklist: 'Called them back on the HR number\nSaw their badge on video', graceHours: '12' });
    expect(r.status).toBe('success');
    expect(await getRecoverySettings()).toMatchObject({ checklist: ['Called them back on the HR number', 'Saw their badge on video'], graceHours: 12 });
    const audit = await lastAudit('recovery.settings');
    expect(audit).toMatchObject({ actor: security.id, target: 'recovery', outcome: 'success' });
    expect(audit!.detail).toEqual({
      before: { checklist: DEFAULT_CHECKLIST, graceHours: DEFAULT_GRACE_HOURS },
      after: { checklist: ['Called them back on the HR number', 'Saw their badge on video'], graceHours: 12 },
    });
  });

  it('refuses an admin who is not in the security team, and a grace above the cap, changing nothing', async () => {
    const before = await getRecoverySettings();
    expect((await setRecoverySettings(admin, { checklist: 'Anything', graceHours: '6' })).status).toBe('error');
    expect(await lastAudit('recovery.settings')).toMatchObject({ actor: admin.id, outcome: 'denied' });
    const over = await setRecoverySettings(security, { checklist: 'Called them back', graceHours: '48' });
    expect(over.status).toBe('invalid');
    expect(await getRecoverySettings()).toEqual(before);
  });
});
