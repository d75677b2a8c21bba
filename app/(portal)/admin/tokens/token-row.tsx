'use client';

import { useActionState, useEffect, useId, useState } from 'react';
import { idle, type ActionResult } from '@/lib/actions/result';
import { ActionForm } from '@/components/ui/action-form';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ResultAlert } from '@/components/ui/result-alert';
import { UserLink } from './user-link';
import { removeTokenAction, returnTokenAction, updateTokenAction } from './actions';
import { TokenFields, type AccountOption, type TokenRowData, type TokenStatusView } from './token-fields';

const statusBadge: Record<TokenStatusView, [BadgeTone, string]> = {
  'in-stock': ['neutral', 'In stock'],
  issued: ['info', 'Issued, not enrolled'],
  enrolled: ['good', 'Enrolled'],
  'enrolled-elsewhere': ['bad', 'Enrolled on someone else'],
  'enrolled-unissued': ['bad', 'Enrolled, not issued'],
};

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
