import { useId } from 'react';

type FieldProps = React.InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  hint?: React.ReactNode;
  errors?: string[];
};

/** For identifiers copied from a label or a screen (serials, IAM names): no autofill, no spell check. */
export const identifierInput = { autoComplete: 'off', spellCheck: false } as const;

const controlClass = 'mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base aria-invalid:border-red-600';

/** The label, hint and error region every field has; `control` gets the id and ARIA attributes that tie them together. */
function FieldFrame({
  label,
  hint,
  errors,
  className,
  control,
}: {
  label: string;
  hint?: React.ReactNode;
  errors?: string[];
  className: string;
  control: (aria: { id: string; 'aria-invalid': true | undefined; 'aria-describedby': string }) => React.ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = `${id}-error`;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {control({ id, 'aria-invalid': errors?.length ? true : undefined, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') })}
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

/** A labelled input with its hint and its own error region (aria-describedby, aria-live). */
export function Field({ label, name, hint, errors, className = '', ...input }: FieldProps) {
  return <FieldFrame label={label} hint={hint} errors={errors} className={className} control={(aria) => <input {...aria} name={name} className={controlClass} {...input} />} />;
}

type TextAreaFieldProps = React.TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; name: string; hint?: React.ReactNode; errors?: string[] };

/** A labelled textarea with its hint and its own error region, like Field. */
export function TextAreaField({ label, name, hint, errors, className = '', rows = 3, ...rest }: TextAreaFieldProps) {
  return <FieldFrame label={label} hint={hint} errors={errors} className={className} control={(aria) => <textarea {...aria} name={name} rows={rows} className={controlClass} {...rest} />} />;
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
