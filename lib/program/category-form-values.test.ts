import { describe, expect, it } from 'vitest';
import type { CategoryRow } from '@/lib/db/schema';
import { categoryFormValues } from './category-form-values';

const row = (over: Partial<CategoryRow>): CategoryRow => ({
  id: 3, name: 'Ops', position: 1, selectorKind: 'group', selectorKey: null, selectorValue: 'ops', defaultDecision: 'required', allowedDeviceTypes: ['virtual'], minDevices: 1,
  requireCertifiedKey: false, deadline: new Date('2027-03-01T17:00:00Z'), cohort: 'ops', reason: null, approver: null, expiresAt: null, updatedAt: new Date(0), updatedBy: 'test',
  extensionMaxDays: 0, extensionMaxCount: 0, newUserWindowDays: 0, ...over,
});

describe('the category form’s values', () => {
  it('show an approved category-wide exception read-only, with who approved it and until when; nothing to type', () => {
    const v = categoryFormValues(row({ defaultDecision: 'exception', reason: 'Break-glass', approver: 'frank@example.com', expiresAt: new Date('2027-01-31T00:00:00Z') }));
    expect(v.approvedException).toBe('Approved by frank@example.com, until 2027-01-31');
    expect(v).not.toHaveProperty('approver');
  });
  it('have no approved exception for any other default', () => {
    expect(categoryFormValues(row({})).approvedException).toBeNull();
    expect(categoryFormValues(null).approvedException).toBeNull();
  });
});
