import Link from 'next/link';
import type { BackupAdvice } from '@/lib/enrollment/backup-advice';
import { Alert } from '@/components/ui/alert';
import { buttonClass } from '@/components/ui/button';

const tone = { required: 'warning', recommended: 'info', full: 'info', enough: 'success', first: 'info' } as const;

/** How many of the 8 devices AWS allows an IAM user has, and how strongly the portal urges a backup. */
export function DeviceAllowance({ advice, id }: { advice: BackupAdvice; id: string }) {
  return (
    <div data-testid="device-allowance" data-level={advice.level} data-count={advice.count}>
      <Alert tone={tone[advice.level]} title={advice.level === 'required' ? 'A backup device is required' : undefined} id={id}>
        <p>
          <strong>{advice.headline}</strong> {advice.text}
        </p>
      </Alert>
    </div>
  );
}

/**
 * The link to enroll the next device, or, at AWS's limit, a disabled button that says why (the reason is its
 * description, so a screen reader announces it with the button). `reasonId`: a DeviceAllowance on the page that
 * already says why, described by instead of repeating the sentence.
 */
export function EnrollNextLink({
  advice,
  href,
  label,
  srSuffix,
  variant = 'primary',
  testId,
  reasonId,
}: {
  advice: BackupAdvice;
  href: string;
  label: string;
  srSuffix?: string;
  variant?: 'primary' | 'secondary';
  testId?: string;
  reasonId?: string;
}) {
  if (advice.canEnroll) {
    return (
      <Link href={href} className={buttonClass(variant)} data-testid={testId}>
        {label}
        {srSuffix && <span className="sr-only"> {srSuffix}</span>}
      </Link>
    );
  }
  const ownReasonId = `${testId ?? 'enroll'}-${href}`.replace(/[^\w-]/g, '-') + '-why';
  return (
    <span className="inline-flex max-w-md flex-col gap-1">
      <button type="button" disabled aria-describedby={reasonId ?? ownReasonId} className={buttonClass(variant)} data-testid={testId}>
        {label}
        {srSuffix && <span className="sr-only"> {srSuffix}</span>}
      </button>
      {!reasonId && (
        <span id={ownReasonId} className="text-sm text-slate-700" data-testid="enroll-disabled-reason">
          {advice.text}
        </span>
      )}
    </span>
  );
}
