'use client';

import { useActionState, useEffect, useId, useRef, useState } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { fieldErrors, ResultAlert } from '@/components/ui/result-alert';
import { UserLink } from './user-link';
import { addTokenAction, importTokensAction, removeTokenAction, returnTokenAction, updateTokenAction } from './actions';

export type AccountOption = { id: string; label: string };
export type EnrolmentView = { accountId: string; userName: string };
export type TokenStatusView = 'in-stock' | 'issued' | 'enrolled' | 'enrolled-elsewhere' | 'enrolled-unissued';

/** What the browser gets of a register row: plain values, nothing else. */
export type TokenRowData = {
  serial: string;
  model: string;
  issuedAccountId: string | null;
  issuedUserName: string | null;
  /** YYYY-MM-DD */
  issuedAt: string | null;
  note: string | null;
  status: TokenStatusView;
  enrolledOn: EnrolmentView[];
};

const statusBadge: Record<TokenStatusView, [BadgeTone, string]> = {
  'in-stock': ['neutral', 'In stock'],
  issued: ['info', 'Issued, not enrolled'],
  enrolled: ['good', 'Enrolled'],
  'enrolled-elsewhere': ['bad', 'Enrolled on someone else'],
  'enrolled-unissued': ['bad', 'Enrolled, not issued'],
};

function SelectField({ label, name, defaultValue, options, errors, hint }: { label: string; name: string; defaultValue?: string; options: [string, string][]; errors?: string[]; hint?: string }) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <select
        id={id}
        name={name}
        defaultValue={defaultValue ?? ''}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={`${hint ? `${id}-hint ` : ''}${id}-error`}
        className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-2 py-2 text-base aria-invalid:border-red-600"
      >
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
      <p id={`${id}-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
        {errors?.join(' ')}
      </p>
    </div>
  );
}

/** Model, who it is issued to and when, and a note: the add and edit forms share them. */
function TokenFields({ accounts, today, result, token }: { accounts: AccountOption[]; today: string; result: ActionResult<unknown>; token?: TokenRowData }) {
  const errors = fieldErrors(result);
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <Field label="Model" name="model" required maxLength={80} defaultValue={token?.model} hint="e.g. SafeNet OTP 110" errors={errors?.model} />
      <SelectField
        label="Issued to: account"
        name="accountId"
        defaultValue={token?.issuedAccountId ?? ''}
        options={[['', 'Not issued (in stock)'], ...accounts.map((a): [string, string] => [a.id, `${a.label} (${a.id})`])]}
        errors={errors?.accountId}
      />
      <Field
        label="Issued to: IAM user name"
        name="userName"
        defaultValue={token?.issuedUserName ?? ''}
        autoComplete="off"
        spellCheck={false}
        maxLength={64}
        hint="Leave blank for a token in stock."
        errors={errors?.userName}
      />
      <Field label="Issued on" name="issuedAt" type="date" max={today} defaultValue={token?.issuedAt ?? today} hint="Defaults to today." errors={errors?.issuedAt} />
      <Field label="Note" name="note" maxLength={500} defaultValue={token?.note ?? ''} className="sm:col-span-2" hint="Optional, e.g. where it is kept." errors={errors?.note} />
    </div>
  );
}

export function AddTokenForm({ accounts, today }: { accounts: AccountOption[]; today: string }) {
  const [result, add, pending] = useActionState<ActionResult<{ serial: string }>, FormData>(addTokenAction, idle);
  const wrapper = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // A token added: clear the form for the next one (a refused one keeps what was typed).
    if (result.status === 'success') wrapper.current?.querySelector('form')?.reset();
  }, [result]);
  return (
    <div ref={wrapper}>
      <ActionForm action={add} className="space-y-3" aria-label="Add a token">
        <Field
          label="Serial number"
          name="serial"
          required
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="characters"
          className="sm:w-80"
          hint="As printed on the back of the token, e.g. GAHT12345678."
          errors={fieldErrors(result)?.serial}
        />
        <TokenFields accounts={accounts} today={today} result={result} />
        <ResultAlert result={result} />
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? 'Adding…' : 'Add token'}
        </Button>
      </ActionForm>
    </div>
  );
}

function EditToken({ token, accounts, today, onDone }: { token: TokenRowData; accounts: AccountOption[]; today: string; onDone: () => void }) {
  const [result, save, pending] = useActionState<ActionResult<{ serial: string }>, FormData>(updateTokenAction, idle);
  return (
    <ActionForm action={save} className="space-y-3" aria-label={`Edit token ${token.serial}`}>
      <input type="hidden" name="serial" value={token.serial} />
      <TokenFields accounts={accounts} today={today} result={result} token={token} />
      <ResultAlert result={result} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? 'Saving…' : 'Save token'}
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Close
        </Button>
      </div>
    </ActionForm>
  );
}

function ConfirmRemove({ token, filter, q, onCancel }: { token: TokenRowData; filter: string; q: string; onCancel: () => void }) {
  const [result, remove, pending] = useActionState<ActionResult<{ serial: string }>, FormData>(removeTokenAction, idle);
  return (
    <ActionForm action={remove} className="space-y-3 rounded-lg bg-red-50 p-3" aria-label={`Remove token ${token.serial}`}>
      <input type="hidden" name="serial" value={token.serial} />
      <input type="hidden" name="filter" value={filter} />
      <input type="hidden" name="q" value={q} />
      <p className="font-medium text-red-900">
        Remove token <span className="font-mono">{token.serial}</span> from the register?
        {token.issuedUserName ? ` It is issued to ${token.issuedUserName}; the register will no longer say so.` : ''} This does not change anything in AWS.
      </p>
      <ResultAlert result={result} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="danger" disabled={pending} aria-busy={pending}>
          {pending ? 'Removing…' : `Yes, remove ${token.serial}`}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </ActionForm>
  );
}

function ReturnToStock({ token }: { token: TokenRowData }) {
  const [result, giveBack, pending] = useActionState<ActionResult<{ serial: string }>, FormData>(returnTokenAction, idle);
  return (
    <ActionForm action={giveBack} aria-label={`Return token ${token.serial} to stock`} className="contents">
      <input type="hidden" name="serial" value={token.serial} />
      <Button type="submit" variant="secondary" disabled={pending} aria-busy={pending}>
        {pending ? 'Returning…' : 'Return to stock'}
        <span className="sr-only"> ({token.serial})</span>
      </Button>
      {result.status === 'error' && <ResultAlert result={result} />}
    </ActionForm>
  );
}

/** One register row; its edit form or removal confirmation opens in a row beneath it, full width. */
export function TokenRow({ token, accounts, today, filter, q }: { token: TokenRowData; accounts: AccountOption[]; today: string; filter: string; q: string }) {
  const [open, setOpen] = useState<'edit' | 'remove' | null>(null);
  const panelId = useId();
  // Keyboard users land in what they opened, and back on the button that opened it when it closes.
  useEffect(() => {
    if (open) document.getElementById(panelId)?.querySelector<HTMLElement>(open === 'edit' ? 'input:not([type=hidden])' : 'button[type=submit]')?.focus();
  }, [open, panelId]);
  const close = () => {
    const was = open;
    setOpen(null);
    requestAnimationFrame(() => document.getElementById(`${panelId}-${was}`)?.focus());
  };
  const label = (id: string) => accounts.find((a) => a.id === id)?.label ?? id;
  const [tone, text] = statusBadge[token.status];
  const issuedTo = token.issuedAccountId && token.issuedUserName ? { accountId: token.issuedAccountId, userName: token.issuedUserName } : null;
  return (
    <>
      <tr className="border-t border-slate-100 align-top" data-testid="token-row" data-serial={token.serial} data-status={token.status}>
        <td className="py-2 pr-3 pl-2 font-mono">{token.serial}</td>
        <td className="py-2 pr-3">{token.model}</td>
        <td className="py-2 pr-3">{issuedTo ? <UserLink user={issuedTo} accountLabel={label(issuedTo.accountId)} /> : <span className="text-slate-600">In stock</span>}</td>
        <td className="py-2 pr-3">{token.issuedAt ?? '—'}</td>
        <td className="py-2 pr-3">
          <Badge tone={tone}>{text}</Badge>
          {token.enrolledOn.length > 0 && token.status !== 'enrolled' && (
            <ul className="mt-1 space-y-0.5">
              {token.enrolledOn.map((e) => (
                <li key={`${e.accountId}/${e.userName}`}>
                  on <UserLink user={e} accountLabel={label(e.accountId)} />
                </li>
              ))}
            </ul>
          )}
        </td>
        <td className="max-w-48 py-2 pr-3 break-words">{token.note ?? '—'}</td>
        <td className="py-2 pr-2">
          <div className="flex flex-wrap gap-2">
            <Button id={`${panelId}-edit`} variant="secondary" aria-expanded={open === 'edit'} aria-controls={panelId} onClick={() => setOpen(open === 'edit' ? null : 'edit')}>
              Edit<span className="sr-only"> {token.serial}</span>
            </Button>
            {issuedTo && <ReturnToStock token={token} />}
            <Button id={`${panelId}-remove`} variant="secondary" aria-expanded={open === 'remove'} aria-controls={panelId} onClick={() => setOpen(open === 'remove' ? null : 'remove')}>
              Remove<span className="sr-only"> {token.serial}</span>
            </Button>
          </div>
        </td>
      </tr>
      {open && (
        <tr id={panelId} className="bg-slate-50">
          <td colSpan={7} className="p-3">
            {open === 'edit' ? (
              <EditToken token={token} accounts={accounts} today={today} onDone={close} />
            ) : (
              <ConfirmRemove token={token} filter={filter} q={q} onCancel={close} />
            )}
          </td>
        </tr>
      )}
    </>
  );
}

export function ImportTokensForm() {
  const [csv, setCsv] = useState('');
  const [result, importCsv, pending] = useActionState<ActionResult<{ imported: number }>, FormData>(async (prev, formData) => {
    const next = await importTokensAction(prev, formData);
    // Imported: clear the text so the same list is not imported twice (a refused one stays to be corrected).
    if (next.status === 'success') setCsv('');
    return next;
  }, idle);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const id = useId();
  const lineErrors = fieldErrors(result)?.csv;
  return (
    <ActionForm action={importCsv} className="space-y-3" aria-label="Import tokens from CSV">
      <div>
        <label htmlFor={`${id}-file`} className="block text-sm font-medium">
          CSV file
        </label>
        <input
          id={`${id}-file`}
          type="file"
          accept=".csv,text/csv,text/plain"
          aria-describedby={`${id}-file-error`}
          className="mt-1 block w-full text-base"
          onChange={async (event) => {
            const file = event.currentTarget.files?.[0];
            setFileProblem(null);
            if (!file) return;
            if (file.size > 1_000_000) {
              setFileProblem('That file is larger than 1 MB: split it.');
              return;
            }
            setCsv(await file.text());
          }}
        />
        <p id={`${id}-file-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
          {fileProblem}
        </p>
      </div>
      <div>
        <label htmlFor={`${id}-csv`} className="block text-sm font-medium">
          CSV text
        </label>
        <textarea
          id={`${id}-csv`}
          name="csv"
          rows={8}
          value={csv}
          onChange={(e) => setCsv(e.target.value)}
          spellCheck={false}
          aria-invalid={lineErrors?.length ? true : undefined}
          aria-describedby={`${id}-hint ${id}-errors`}
          className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-sm aria-invalid:border-red-600"
          placeholder={'serial,model,accountId,userName,issuedAt\nGAHT12345678,SafeNet OTP 110,111111111111,alice,2026-01-15\nGAHT12345679,SafeNet OTP 110,,,'}
        />
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          First line <code>serial,model,accountId,userName,issuedAt</code>. Leave the last three empty for a token in stock; an empty date means today. Nothing is imported unless every line is right.
        </p>
        <div id={`${id}-errors`} aria-live="polite" className="mt-1 text-sm text-red-700">
          {lineErrors?.length ? (
            <ul className="max-h-64 list-disc space-y-0.5 overflow-y-auto pl-5" data-testid="import-errors">
              {lineErrors.map((e, i) => (
                <li key={i}>{e}</li>
              ))}
            </ul>
          ) : null}
        </div>
      </div>
      <ResultAlert result={result} />
      <Button type="submit" disabled={pending || csv.trim() === ''} aria-busy={pending}>
        {pending ? 'Importing…' : 'Import tokens'}
      </Button>
    </ActionForm>
  );
}
