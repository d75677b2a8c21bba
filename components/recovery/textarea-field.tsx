import { useId } from 'react';

type Props = React.TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; name: string; hint?: React.ReactNode; errors?: string[] };

/** A labelled textarea with its hint and its own error region, like Field. */
export function TextAreaField({ label, name, hint, errors, className = '', rows = 3, ...rest }: Props) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = `${id}-error`;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        rows={rows}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ')}
        className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base aria-invalid:border-red-600"
        {...rest}
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
