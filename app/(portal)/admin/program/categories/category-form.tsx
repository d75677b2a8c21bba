'use client';

import { startTransition, useActionState, useId, useState } from 'react';
import Link from 'next/link';
import { previewCategoryAction, saveCategoryAction } from '../actions';
import { idle, type ActionResult } from '@/lib/actions/result';
import { plural } from '@/lib/format';
import type { DraftPreview } from '@/lib/program/categories';
import type { Decision, DeviceType, SelectorKind } from '@/lib/db/schema';
import { deviceTypeLabel } from '@/lib/device-types';
import { ActionForm } from '@/components/ui/action-form';
import { Alert } from '@/components/ui/alert';
import { Button, buttonClass } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';
import { DecisionDetails } from '@/components/program/decision-details';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';

export type CategoryFormValues = {
  id: number | null;
  name: string;
  selectorKind: SelectorKind;
  selectorKey: string;
  selectorValue: string;
  defaultDecision: Decision;
  allowedDeviceTypes: DeviceType[];
  backupRequired: boolean;
  requireCertifiedKey: boolean;
  /** yyyy-mm-ddThh:mm, UTC */
  deadline: string;
  cohort: string;
  reason: string;
  /** The approved category-wide exception, read-only here ("Approved by … until …"); null when there is none. */
  approvedException: string | null;
  /** yyyy-mm-dd */
  expiresAt: string;
};

const selectorHelp: Record<SelectorKind, { label: string; hint: string }> = {
  group: { label: 'IAM group name', hint: 'Users in this IAM group (in any managed account).' },
  tag: { label: 'Tag value', hint: 'Users whose tag has exactly this value (case-sensitive).' },
  path: { label: 'Path prefix', hint: 'Users whose IAM path starts with this, e.g. /admins/ (starts and ends with /).' },
  account: { label: 'Account id', hint: 'Every user of this managed account.' },
};

export function CategoryForm({ initial, accounts }: { initial: CategoryFormValues; accounts: { id: string; label: string }[] }) {
  const [result, save, saving] = useActionState<ActionResult<{ id: number }>, FormData>(saveCategoryAction, idle);
  const [preview, runPreview, previewing] = useActionState<ActionResult<DraftPreview>, FormData>(previewCategoryAction, idle);
  const [kind, setKind] = useState<SelectorKind>(initial.selectorKind);
  const [decision, setDecision] = useState<Decision>(initial.defaultDecision);
  const errors = fieldErrors(result) ?? fieldErrors(preview);
  const groupId = useId();

  if (result.status === 'success') {
    return (
      <div className="space-y-3">
        <ResultAlert result={result} />
        <Link href="/admin/program" className={buttonClass('primary')}>Back to the program</Link>
      </div>
    );
  }

  return (
    <ActionForm action={save} className="space-y-5" aria-label={initial.id ? `Edit category ${initial.name}` : 'New category'} id="category-form">
      {initial.id !== null && <input type="hidden" name="id" value={initial.id} />}
      <Field label="Name" name="name" defaultValue={initial.name} required maxLength={80} errors={errors?.name} />
      <fieldset className="space-y-3 rounded-lg border border-slate-200 p-4">
        <legend className="px-1 text-sm font-semibold">Who it selects</legend>
        <Select
          label="Selector"
          name="selectorKind"
          value={kind}
          onChange={(v) => setKind(v as SelectorKind)}
          options={[['group', 'IAM group'], ['tag', 'Tag key = value'], ['path', 'Path prefix'], ['account', 'Account']]}
          errors={errors?.selectorKind}
        />
        {kind === 'tag' && <Field label="Tag key" name="selectorKey" defaultValue={initial.selectorKey} required maxLength={128} hint="e.g. Environment" errors={errors?.selectorKey} />}
        {kind === 'account' ? (
          <Select
            label={selectorHelp.account.label}
            name="selectorValue"
            defaultValue={accounts.some((a) => a.id === initial.selectorValue) ? initial.selectorValue : (accounts[0]?.id ?? '')}
            options={accounts.map((a) => [a.id, `${a.label} (${a.id})`])}
            hint={selectorHelp.account.hint}
            errors={errors?.selectorValue}
          />
        ) : (
          <Field key={kind} label={selectorHelp[kind].label} name="selectorValue" defaultValue={initial.selectorKind === kind ? initial.selectorValue : ''} required={kind !== 'tag'} maxLength={256} hint={selectorHelp[kind].hint} errors={errors?.selectorValue} />
        )}
      </fieldset>
      <fieldset className="space-y-3 rounded-lg border border-slate-200 p-4">
        <legend className="px-1 text-sm font-semibold">Rules</legend>
        <Select
          label="Default decision"
          name="defaultDecision"
          value={decision}
          onChange={(v) => setDecision(v as Decision)}
          options={[['required', 'MFA required'], ...(initial.approvedException ? [['exception', 'Approved exception (keep it)'] as [string, string]] : []), ['out-of-scope', 'Out of scope']]}
          hint="What applies to users in this category unless an admin decides otherwise for one of them. A category-wide exception is requested below the form and approved by another admin."
          errors={errors?.defaultDecision}
        />
        {decision === 'exception' && initial.approvedException ? (
          <p className="text-sm text-slate-700" data-testid="category-exception">“{initial.reason}” · {initial.approvedException}</p>
        ) : (
          <DecisionDetails decision={decision} initial={initial} errors={errors} expiryHint="At most a year from today." reasonExample="Service users: console passwords are being removed." />
        )}
        <fieldset aria-describedby={`${groupId}-error`}>
          <legend className="text-sm font-medium">Allowed device types</legend>
          <div className="mt-1 flex flex-wrap gap-x-6 gap-y-2">
            {(['virtual', 'hardware', 'fido'] as const).map((t) => (
              <label key={t} className="inline-flex min-h-11 items-center gap-2">
                <input type="checkbox" name={`allow_${t}`} defaultChecked={initial.allowedDeviceTypes.includes(t)} className="h-5 w-5" />
                {deviceTypeLabel[t]}
              </label>
            ))}
          </div>
          <p id={`${groupId}-error`} aria-live="polite" className="mt-1 text-sm text-red-700">{errors?.allowedDeviceTypes?.join(' ')}</p>
        </fieldset>
        <label className="inline-flex min-h-11 items-center gap-2">
          <input type="checkbox" name="backupRequired" defaultChecked={initial.backupRequired} className="h-5 w-5" />
          A backup device is required (two devices)
        </label>
        <div>
          <label className="inline-flex min-h-11 items-center gap-2">
            <input
              type="checkbox"
              name="requireCertifiedKey"
              defaultChecked={initial.requireCertifiedKey}
              aria-describedby={`${groupId}-certified-hint ${groupId}-certified-error`}
              className="h-5 w-5"
            />
            Only certified security keys count (FIDO certified, or FIPS 140-2/140-3)
          </label>
          <p id={`${groupId}-certified-hint`} className="text-sm text-slate-600">
            For phishing-resistant categories: allow only “{deviceTypeLabel.fido}”. Keys AWS reports no certification for, passkeys included, do not count,
            and the enforcement policy refuses to register them for this cohort.
          </p>
          <p id={`${groupId}-certified-error`} aria-live="polite" className="mt-1 text-sm text-red-700">{errors?.requireCertifiedKey?.join(' ')}</p>
        </div>
      </fieldset>
      <fieldset className="grid gap-3 rounded-lg border border-slate-200 p-4 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">Deadline and enforcement</legend>
        <Field label="Deadline (UTC)" name="deadline" type="datetime-local" defaultValue={initial.deadline} required hint="Date and time in UTC." errors={errors?.deadline} />
        <Field label="Cohort" name="cohort" defaultValue={initial.cohort} required maxLength={64} pattern="[a-z0-9]([a-z0-9\-]{0,62}[a-z0-9])?" hint="The mfa-cohort tag value enforcement uses, e.g. prod-admins." errors={errors?.cohort} />
      </fieldset>
      {errors?.enforceFromNow && errors.enforceFromNowFor?.[0] && (
        <EnforceFromNow key={errors.enforceFromNowFor[0]} deadline={errors.enforceFromNowFor[0]} impact={errors.enforceFromNow.join(' ')} />
      )}
      <ResultAlert result={result} />
      {preview.status === 'error' && <ResultAlert result={preview} />}
      {preview.status === 'success' && (
        <Alert tone="info" title="Preview">
          <p data-testid="draft-preview">
            The selector matches {plural(preview.data.matches, 'user')} ({preview.data.consoleMatches} with console access). In this position the category
            would capture {preview.data.captured}.
          </p>
          {preview.data.takenByEarlier.length > 0 && (
            <p className="mt-1">Taken first by earlier categories: {preview.data.takenByEarlier.map((t) => `${t.name} (${t.users})`).join(', ')}.</p>
          )}
        </Alert>
      )}
      <div className="flex flex-wrap gap-3">
        <Button type="submit" disabled={saving} aria-busy={saving}>{saving ? 'Saving…' : 'Save category'}</Button>
        <Button
          variant="secondary"
          disabled={previewing}
          aria-busy={previewing}
          onClick={(e) => {
            const form = (e.currentTarget as HTMLButtonElement).form;
            if (form) startTransition(() => runPreview(new FormData(form)));
          }}
        >
          {previewing ? 'Counting…' : 'Preview who it captures'}
        </Button>
        <Link href="/admin/program" className={buttonClass('secondary')}>Cancel</Link>
      </div>
    </ActionForm>
  );
}

/** A past deadline is saved only with this explicit confirmation, which says whom it affects at once. */
function EnforceFromNow({ deadline, impact }: { deadline: string; impact: string }) {
  const id = useId();
  return (
    <div className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-amber-900" data-testid="enforce-from-now">
      <p className="font-semibold" id={`${id}-title`}>The deadline is in the past</p>
      <p className="mt-1" id={`${id}-impact`}>{impact}</p>
      <label className="mt-2 inline-flex min-h-11 items-center gap-2 font-medium">
        <input type="checkbox" name="enforceFromNow" value={deadline} required aria-describedby={`${id}-impact`} className="h-5 w-5" />
        Enforce from now
      </label>
    </div>
  );
}
