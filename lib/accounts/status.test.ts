import { describe, expect, it } from 'vitest';
import { formerReason } from './status';

describe('formerReason', () => {
  it('says why an account is no longer managed', () => {
    expect(formerReason({ status: 'inactive', organizationsState: 'SUSPENDED' })).toBe('suspended in AWS Organizations');
    expect(formerReason({ status: 'inactive', organizationsState: 'PENDING_CLOSURE' })).toBe('pending closure in AWS Organizations');
    expect(formerReason({ status: 'excluded', organizationsState: 'ACTIVE' })).toBe('excluded by the OU or account filters');
    expect(formerReason({ status: 'gone', organizationsState: null })).toBe('no longer listed by the account source');
  });
});
