import { useId } from 'react';

type SelectProps = { label: string; name: string; options: [string, string][]; errors?: string[]; hint?: string } & (
  | { value: string; onChange: (v: string) => void; defaultValue?: never }
  | { defaultValue: string; value?: never; onChange?: never }
);

/** A labelled select with its hint and its own error region, controlled (value + onChange) or not (defaultValue). */
export function Select({ label, name, value, defaultValue, onChange, options, errors, hint }: SelectProps) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        defaultValue={defaultValue}
        onChange={onChange ? (e) => onChange(e.target.value) : undefined}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={`${id}-error${hint ? ` ${id}-hint` : ''}`}
        className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base aria-invalid:border-red-600"
      >
        {options.map(([v, l]) => (
          <option key={v} value={v}>{l}</option>
        ))}
      </select>
      {hint && <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">{hint}</p>}
      <p id={`${id}-error`} aria-live="polite" className="mt-1 text-sm text-red-700">{errors?.join(' ')}</p>
    </div>
  );
}

