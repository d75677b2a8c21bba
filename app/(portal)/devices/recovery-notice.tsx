import Link from 'next/link';
import { Alert } from '@/components/ui/alert';
import { buttonClass } from '@/components/ui/button';
import { formatDateTimeUtc } from '@/lib/format';
import type { RecoveryView } from '@/lib/recovery/state';
import { CancelRecovery } from './report-lost-device';

/** Where the member's lost-device report stands, for one IAM user: the newest request only. */
export function RecoveryNotice({ recovery, enrollHref }: { recovery: RecoveryView | undefined; enrollHref: string }) {
  if (!recovery) return null;
  const device = <span className="font-mono break-all">{recovery.deviceName}</span>;
  return (
    <div className="mt-3" data-testid="recovery-notice" data-state={recovery.state}>
      {recovery.state === 'reported' && (
        <Alert tone="info" title="Waiting for an admin to verify you">
          <p>You reported {device} as {recovery.what} on {formatDateTimeUtc(recovery.reportedAt)}. An administrator will contact you to check who you are, then deactivate it and give you time to enroll a new device.</p>
          <CancelRecovery id={recovery.id} deviceName={recovery.deviceName} />
        </Alert>
      )}
      {recovery.state === 'approved' && !recovery.graceMissing && recovery.graceEndsAt && (
        <Alert tone="warning" title={`Grace until ${formatDateTimeUtc(recovery.graceEndsAt)}: enroll a new device now`}>
          <p>{device} was deactivated. Until then you can work without MFA; after it, AWS denies everything but setting up MFA.</p>
          <Link href={enrollHref} className={buttonClass('primary', 'mt-2')}>Enroll a new device</Link>
        </Alert>
      )}
      {recovery.state === 'approved' && recovery.graceMissing && (
        <Alert tone="warning" title="Device deactivated; your grace is being set up">
          <p>{device} was deactivated. An administrator is finishing the approval: enroll a new device as soon as you can.</p>
          <Link href={enrollHref} className={buttonClass('primary', 'mt-2')}>Enroll a new device</Link>
        </Alert>
      )}
      {recovery.state === 'rejected' && (
        <Alert tone="error" title="Your lost-device report was not approved">
          <p>{recovery.rejectReason}</p>
        </Alert>
      )}
      {recovery.state === 'completed' && <Alert tone="success" title="Recovered">You enrolled a new device; the grace has ended.</Alert>}
      {recovery.state === 'expired' && (
        <Alert tone="warning" title="Your grace has ended">
          <p>AWS now requires MFA for this IAM user again. Enroll a new device to keep working.</p>
          <Link href={enrollHref} className={buttonClass('primary', 'mt-2')}>Enroll a new device</Link>
        </Alert>
      )}
    </div>
  );
}
