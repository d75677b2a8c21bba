import type { MfaDevice } from '@/lib/aws/mfa-devices';
import { ALL_DEVICE_TYPES, programGapText, type ProgramStatus } from '@/lib/program/resolve';
import { anyOfTypes, typeName, typesPlural } from '@/lib/program/wording';
import { countdown, formatUtcDate, formatUtcDateTime } from '@/lib/program/countdown';
import { Alert } from '@/components/ui/alert';

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Device types this user has that the category does not accept, in a stable order. */
export function disallowedTypesOf(program: Pick<ProgramStatus, 'allowedDeviceTypes'>, devices: readonly Pick<MfaDevice, 'type'>[]) {
  return ALL_DEVICE_TYPES.filter((t) => !program.allowedDeviceTypes.includes(t) && devices.some((d) => d.type === t));
}

/** The sentence after a decision: "— reason (approved by X)". */
function because(program: ProgramStatus) {
  const parts = [program.decisionReason, program.approver ? `approved by ${program.approver}` : null].filter(Boolean);
  return parts.length ? `: ${parts.join(', ')}` : '';
}

/**
 * What the enrollment program asks of one IAM user: category, decision, deadline with countdown, allowed types,
 * backup rule and progress. Everything is said in words; colour only repeats it.
 */
export function ProgramPanel({ id, program, devices, now }: { id: string; program: ProgramStatus; devices: readonly MfaDevice[]; now: Date }) {
  const { category, decision, exceptionExpired, minDevices, allowedDevices } = program;
  const applies = decision === 'required' || exceptionExpired;
  const due = program.deadline && applies ? countdown(program.deadline, now) : null;
  const notAccepted = disallowedTypesOf(program, devices);
  const progressId = `${id}-progress`;
  return (
    // Not a landmark: each IAM user's card has one, and landmarks must be unique on the page.
    <div aria-labelledby={`${id}-program`} role="group" className="mt-4 rounded-lg border border-slate-200 p-3" data-testid="program">
      <h3 id={`${id}-program`} className="font-semibold">
        MFA program
      </h3>
      <dl className="mt-2 grid grid-cols-1 gap-1 text-sm sm:grid-cols-[max-content_1fr] sm:gap-x-4">
        <dt className="font-medium text-slate-600">Category</dt>
        <dd data-testid="program-category">{category ? category.name : 'No category yet'}</dd>

        {decision === 'out-of-scope' && (
          <>
            <dt className="font-medium text-slate-600">Decision</dt>
            <dd data-testid="program-decision">Out of scope{because(program)}. MFA is not required for this IAM user.</dd>
          </>
        )}
        {decision === 'exception' && !exceptionExpired && (
          <>
            <dt className="font-medium text-slate-600">Decision</dt>
            <dd data-testid="program-decision">
              Approved exception{program.expiresAt ? <> until {formatUtcDate(program.expiresAt)}</> : null}
              {because(program)}. MFA is not required meanwhile.
            </dd>
          </>
        )}

        <dt className="font-medium text-slate-600">Deadline</dt>
        <dd data-testid="program-deadline" data-overdue={due?.overdue ? 'true' : 'false'}>
          {!applies ? (
            'None (MFA is not required)'
          ) : program.deadline && due ? (
            <>
              <time dateTime={program.deadline.toISOString()}>{formatUtcDateTime(program.deadline)}</time>{' '}
              <strong className={due.overdue && !program.compliant ? 'text-red-800' : due.soon ? 'text-amber-800' : ''} data-testid="program-countdown">
                ({due.text})
              </strong>
            </>
          ) : (
            'No deadline yet'
          )}
        </dd>

        <dt className="font-medium text-slate-600">Allowed devices</dt>
        <dd data-testid="program-allowed">
          {capitalise(typesPlural(program.allowedDeviceTypes))}
          {program.requireCertifiedKey ? ', certified ones only (FIDO certified, or FIPS 140-2/140-3: AWS reports no certification for passkeys)' : ''}
        </dd>

        <dt className="font-medium text-slate-600">Backup</dt>
        <dd data-testid="program-backup">
          {minDevices >= 2
            ? `A backup device is required: ${Math.min(allowedDevices, minDevices)} of ${minDevices} enrolled`
            : 'One device is enough; a backup device is recommended'}
        </dd>
      </dl>

      {decision === 'exception' && exceptionExpired && (
        <div className="mt-3">
          <Alert tone="warning" title="Your exception has expired">
            <span data-testid="program-decision">
              The approved exception for this IAM user ended{program.expiresAt ? <> on {formatUtcDate(program.expiresAt)}</> : null}. MFA is now
              required.
            </span>
          </Alert>
        </div>
      )}

      {applies && (
        <div className="mt-3 text-sm">
          <p id={progressId}>
            Devices of an allowed type: <strong data-testid="program-progress">{Math.min(allowedDevices, minDevices)} of {minDevices}</strong>
          </p>
          <progress className="mt-1 h-2 w-full" max={minDevices} value={Math.min(allowedDevices, minDevices)} aria-labelledby={progressId} />
        </div>
      )}

      {notAccepted.map((t) => (
        <div key={t} className="mt-3" data-testid="program-not-accepted" data-type={t}>
          <Alert tone="warning" title="Device not accepted">
            Your {typeName(t)} is not accepted in this category; enroll {anyOfTypes(program.allowedDeviceTypes)}. It still protects sign-in, but does not count towards this category’s requirement.
          </Alert>
        </div>
      ))}

      <p className="mt-3 text-sm font-medium" data-testid="program-status" data-gap={program.programGap ?? ''} data-compliant={program.compliant}>
        {program.inScope
          ? program.compliant
            ? 'Done: this IAM user meets the program.'
            : `To do: ${programGapText[program.programGap!]}.`
          : applies
            ? 'This IAM user cannot sign in to the console, so the program does not ask anything of it now.'
            : 'Nothing to do for the program.'}
      </p>
    </div>
  );
}
