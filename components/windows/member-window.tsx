import type { ProgramStatus } from '@/lib/program/resolve';
import type { MemberWindowInfo } from '@/lib/windows/member';
import { formatDateTimeUtc, plural } from '@/lib/format';
import { ExtensionForm, type ExtensionAction } from './extension-form';

/** The user's window in words (extension, new user, grace), a waiting request or a rejection, and the form to ask for more time. */
export function MemberWindow({
  accountId,
  userName,
  program,
  info,
  action,
}: {
  accountId: string;
  userName: string;
  program: ProgramStatus;
  info: MemberWindowInfo | null;
  action?: ExtensionAction;
}) {
  const w = program.window;
  const used = info ? `${info.used} of ${info.maxCount} extension${info.maxCount === 1 ? '' : 's'} used` : null;
  const canAsk = program.inScope && !program.compliant && program.categoryDeadline !== null && !info?.pending;
  const hint =
    info && info.maxDays > 0 && info.maxCount > info.used
      ? `Up to ${plural(info.maxDays, 'day')} past the category deadline (${formatDateTimeUtc(program.categoryDeadline ?? new Date(0))}) is granted at once; more waits for an admin. ${used}.`
      : 'Your category grants no more time at once: an admin decides.';
  return (
    <div className="mt-3 space-y-2 text-sm" data-testid="window">
      {w && (
        <p data-testid="window-line" data-kind={w.kind}>
          {w.kind === 'extension' ? (
            <>
              <strong>Extended to {formatDateTimeUtc(w.endsAt)}</strong>
              {used ? `, ${used}` : ''}.
            </>
          ) : w.kind === 'new-user' ? (
            <>
              <strong>New user: until {formatDateTimeUtc(w.endsAt)}</strong> to set up MFA.
            </>
          ) : (
            <>
              <strong>Grace until {formatDateTimeUtc(w.endsAt)}</strong> to enroll a new device.
            </>
          )}{' '}
          {program.categoryDeadline ? `The category deadline is ${formatDateTimeUtc(program.categoryDeadline)}.` : null}
        </p>
      )}
      {info?.pending && (
        <p data-testid="window-pending">
          Your request for more time (until {formatDateTimeUtc(info.pending.endsAt)}) is waiting for an admin.
        </p>
      )}
      {info?.rejected && !info.pending && (
        <p data-testid="window-rejected">
          Your request until {formatDateTimeUtc(info.rejected.endsAt)} was rejected{info.rejected.note ? `: ${info.rejected.note}` : ''}.
        </p>
      )}
      {canAsk && action && <ExtensionForm accountId={accountId} userName={userName} hint={hint} action={action} />}
    </div>
  );
}
