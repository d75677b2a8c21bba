import { useId } from 'react';

type FieldProps = React.InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  hint?: React.ReactNode;
  errors?: string[];
};

/** For identifiers copied from a label or a screen (serials, IAM names): no autofill, no spell check. */
export const identifierInput = { autoComplete: 'off', spellCheck: false } as const;

/** A labelled input with its hint and its own error region (aria-describedby, aria-live). */
export function Field({ label, name, hint, errors, className = '', ...input }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = `${id}-error`;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        name={name}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ')}
        className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base aria-invalid:border-red-600"
        {...input}
      />
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
      <p id={errorId} aria-live="polite" className="mt-1 text-sm text-red-700">
        {errors?.join(' ')}
      </p>
    </div>
  );
}

/** Two 6-digit code inputs, numeric keyboard and one-time-code autofill. */
export function CodePairFields({ errors, disabled }: { errors?: Partial<Record<string, string[]>>; disabled?: boolean }) {
  const common = {
    inputMode: 'numeric' as const,
    autoComplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxLength: 6,
    required: true,
    disabled,
    className: 'w-full sm:w-48',
  };
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:gap-6">
      <Field label="First code" name="code1" hint="The 6-digit code showing now." errors={errors?.code1} {...common} />
      <Field label="Second code" name="code2" hint="Wait for it to change, then enter the new one." errors={errors?.code2} {...common} />
    </div>
  );
}
