/** A select in a GET filter form: its current value from the URL, and "Any" (no filter) first unless `any` is null. */
export function FilterSelect({ label, name, value, options, any = 'Any' }: { label: string; name: string; value?: string; options: [string, string][]; any?: string | null }) {
  return (
    <label className="block text-sm font-medium">
      {label}
      <select name={name} defaultValue={value ?? ''} className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-2 py-2 text-base">
        {any !== null && <option value="">{any}</option>}
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}
