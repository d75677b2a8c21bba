import { describe, expect, it } from 'vitest';
import type { RecoveryRequestRow } from '@/lib/db/schema';
import { isOpen, recoveryState } from './state';

const now = new Date('2026-12-05T12:00:00Z');
const row = (over: Partial<RecoveryRequestRow> = {}): RecoveryRequestRow => ({
  id: 1, accountId: '111111111111', userName: 'bob', deviceSerial: 'arn:aws:iam::111111111111:mfa/bob-phone', deviceType: 'virtual', deviceName: 'bob-phone',
  what: 'lost', note: null, reportedBy: 'bob@example.com', reportedAt: new Date('2026-12-05T08:00:00Z'), status: 'approved', checklist: [],
  decidedBy: 'carol@example.com', decidedAt: new Date('2026-12-05T09:00:00Z'), rejectReason: null, graceEndsAt: new Date('2026-12-06T09:00:00Z'), windowId: 7, completedAt: null,
  ...over,
});
const active = { status: 'active' as const, endsAt: new Date('2026-12-06T09:00:00Z'), endedAt: null, endReason: null };

describe('a request follows its grace window', () => {
  it('is in its grace while the window is active and before its end', () => {
    const v = recoveryState(row(), active, now);
    expect(v.state).toBe('approved');
    expect(isOpen(v)).toBe(true);
  });
  it('is completed when the window ended because the member enrolled', () => {
    const endedAt = new Date('2026-12-05T11:00:00Z');
    const v = recoveryState(row(), { ...active, status: 'ended', endedAt, endReason: 'enrolled' }, now);
    expect(v).toMatchObject({ state: 'completed', completedAt: endedAt });
    expect(isOpen(v)).toBe(false);
  });
  it('is expired when the window ended at its end, or is still active past it', () => {
    expect(recoveryState(row(), { ...active, status: 'ended', endedAt: now, endReason: 'expired' }, now).state).toBe('expired');
    expect(recoveryState(row(), { ...active, endsAt: new Date('2026-12-05T11:59:00Z') }, now).state).toBe('expired');
  });
  it('keeps the stored state of a request that was never approved', () => {
    for (const status of ['reported', 'rejected', 'cancelled'] as const) expect(recoveryState(row({ status, windowId: null }), null, now).state).toBe(status);
  });
  it('flags an approved request whose grace could not be opened', () => {
    expect(recoveryState(row({ windowId: null, graceEndsAt: null }), null, now)).toMatchObject({ state: 'approved', graceMissing: true });
  });
  it('without a window (the deadline was later than a grace), runs until that deadline', () => {
    expect(recoveryState(row({ windowId: null, graceEndsAt: new Date('2027-01-01T00:00:00Z') }), null, now)).toMatchObject({ state: 'approved', graceMissing: false });
    expect(recoveryState(row({ windowId: null, graceEndsAt: new Date('2026-12-05T11:00:00Z') }), null, now).state).toBe('expired');
  });
});
