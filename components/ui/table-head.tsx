/** A table's column headers, one style everywhere. */
export function TableHead({ columns, className = 'text-slate-600' }: { columns: React.ReactNode[]; className?: string }) {
  return (
    <thead className={className}>
      <tr>
        {columns.map((c, i) => (
          <th key={i} scope="col" className={`py-1.5 font-medium ${i < columns.length - 1 ? 'pr-3' : ''}`}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
