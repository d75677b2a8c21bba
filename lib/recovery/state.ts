import type { RecoveryRequestRow, RecoveryStatus } from '@/lib/db/schema';

/** What a request's grace window (user_windows, lib/windows) says, as far as a recovery needs to know. */
export type LinkedWindow = { status: 'pending' | 'active' | 'ended' | 'rejected'; endsAt: Date; endedAt: Date | null; endReason: string | null };

export type RecoveryView = RecoveryRequestRow & {
  /** The request's state now: the stored one, or for an approved request, what its window says. */
  state: RecoveryStatus;
  /** An approved request whose device was deactivated but whose grace could not be opened (an admin retries). */
  graceMissing: boolean;
};

/**
 * The grace ends at enrollment or at its end, whichever is first; lib/windows closes the window either way
 * ('enrolled' or 'expired'). The request follows its window when read, so nothing in lib/windows has to know about
 * recoveries. A window still active past its end counts as expired: IAM denies from that minute, whatever the tidy-up.
 */
export function recoveryState(row: RecoveryRequestRow, window: LinkedWindow | null, now: Date): RecoveryView {
  const base = { ...row, state: row.status, graceMissing: false };
  if (row.status !== 'approved') return base;
  if (!window) {
    // No window was needed (the user's deadline was later than the grace would end): the deadline is the limit.
    if (row.windowId === null && row.graceEndsAt) return row.graceEndsAt.getTime() <= now.getTime() ? { ...base, state: 'expired', completedAt: row.graceEndsAt } : base;
    return { ...base, graceMissing: row.windowId === null };
  }
  if (window.status === 'ended') {
    const enrolled = window.endReason === 'enrolled';
    return { ...base, state: enrolled ? 'completed' : 'expired', completedAt: window.endedAt ?? row.completedAt };
  }
  if (window.status === 'active' && window.endsAt.getTime() <= now.getTime()) return { ...base, state: 'expired', completedAt: window.endsAt };
  return base;
}

/** Still needs someone: waiting for an admin, or in a grace that has not ended. */
export const isOpen = (v: Pick<RecoveryView, 'state'>) => v.state === 'reported' || v.state === 'approved';
