'use client';

import type { ActionResult } from '@/lib/actions/result';
import { Field, identifierInput } from '@/components/ui/field';
import { fieldErrors } from '@/components/ui/result-alert';
import { Select } from '@/components/ui/select';

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

/** Model, who it is issued to and when, and a note: the add and edit forms share them. */
export function TokenFields({ accounts, today, result, token }: { accounts: AccountOption[]; today: string; result: ActionResult<unknown>; token?: TokenRowData }) {
  const errors = fieldErrors(result);
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <Field label="Model" name="model" required maxLength={80} defaultValue={token?.model} hint="e.g. SafeNet OTP 110" errors={errors?.model} />
      <Select
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
        {...identifierInput}
        maxLength={64}
        hint="Leave blank for a token in stock."
        errors={errors?.userName}
      />
      <Field label="Issued on" name="issuedAt" type="date" max={today} defaultValue={token?.issuedAt ?? today} hint="Defaults to today." errors={errors?.issuedAt} />
      <Field label="Note" name="note" maxLength={500} defaultValue={token?.note ?? ''} className="sm:col-span-2" hint="Optional, e.g. where it is kept." errors={errors?.note} />
    </div>
  );
}
