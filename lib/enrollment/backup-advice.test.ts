import { describe, expect, it } from 'vitest';
import { backupAdvice } from './backup-advice';

describe('backupAdvice', () => {
  it('counts the devices against the 8 AWS allows', () => {
    expect(backupAdvice('alice', 3).headline).toBe('alice has 3 of the 8 MFA devices AWS allows.');
    expect(backupAdvice('alice', 3)).toMatchObject({ level: 'enough', count: 3, max: 8, canEnroll: true });
    expect(backupAdvice('alice', 3).text).toBe('You have a backup. You can add up to 5 more devices.');
  });

  it('recommends a backup for a single device', () => {
    const advice = backupAdvice('alice', 1, { minDevices: 1, allowedDevices: 1 });
    expect(advice.level).toBe('recommended');
    expect(advice.text).toMatch(/^Only one device: if you lose it, you cannot sign in until an administrator helps you\. Add a backup device/);
    expect(backupAdvice('alice', 1).level).toBe('recommended');
  });

  it('says a backup is required, more strongly, when the category asks for two', () => {
    const advice = backupAdvice('alice', 1, { minDevices: 2, allowedDevices: 1 });
    expect(advice.level).toBe('required');
    expect(advice.text).toBe('Your category requires 2 devices of an allowed type: add a backup device now. Until then this IAM user does not meet the MFA program.');
    // Two devices, but one of a type the category does not accept: still short of the rule.
    expect(backupAdvice('alice', 2, { minDevices: 2, allowedDevices: 1 }).level).toBe('required');
    expect(backupAdvice('alice', 1, { minDevices: 3, allowedDevices: 1 }).text).toMatch(/add 2 more devices now/);
    expect(backupAdvice('alice', 2, { minDevices: 2, allowedDevices: 2 }).level).toBe('enough');
  });

  it('refuses enrolling at the limit, and says why', () => {
    const advice = backupAdvice('alice', 8, { minDevices: 2, allowedDevices: 1 });
    expect(advice).toMatchObject({ level: 'full', canEnroll: false });
    expect(advice.text).toBe('alice already has 8 MFA devices, the most AWS allows. Remove one you no longer use on My devices to add another.');
    expect(backupAdvice('alice', 7).canEnroll).toBe(true);
  });

  it('asks for a first device before a backup', () => {
    expect(backupAdvice('alice', 0, { minDevices: 2, allowedDevices: 0 })).toMatchObject({ level: 'first', canEnroll: true });
  });
});
