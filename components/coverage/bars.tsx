import type { Breakdown } from '@/lib/inventory/queries';
import { coveragePct } from '@/lib/inventory/coverage-view';
import { DataTable } from '@/components/ui/data-table';

/** Coverage bar with the percentage as text: readable without colour or a mouse. */
export function CoverageBar({ compliant, inScope }: { compliant: number; inScope: number }) {
  const pct = coveragePct(compliant, inScope);
  return (
    <div className="flex items-center gap-2">
      <div className="h-3 flex-1 rounded bg-red-100" aria-hidden="true">
        <div className="h-3 rounded bg-emerald-600" style={{ width: `${pct}%` }} />
      </div>
      <span className="w-14 text-right tabular-nums">{pct}%</span>
    </div>
  );
}

/** A breakdown row's figures: "compliant / in scope" and its bar. */
export function CoverageCells({ compliant, inScope }: { compliant: number; inScope: number }) {
  return (
    <>
      <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">
        {compliant} / {inScope}
      </td>
      <td className="py-1.5">
        <CoverageBar compliant={compliant} inScope={inScope} />
      </td>
    </>
  );
}

/** In-scope coverage per group: compliant users out of those in scope. */
export function CoverageBars({ rows, caption, label = (k: string) => k, href }: { rows: Breakdown[]; caption: string; label?: (key: string) => string; href?: (key: string) => string }) {
  if (rows.length === 0) return <p className="text-sm text-slate-600">No data yet.</p>;
  return (
    <DataTable label={`Coverage by ${caption}`} caption={`${caption}: compliant users out of those in scope`} columns={[caption, 'Compliant / in scope', 'Coverage']}>
      {rows.map((r) => (
        <tr key={r.key} className="border-t border-slate-100">
          <td className="py-1.5 pr-3 break-all">{href ? <a className="underline" href={href(r.key)}>{label(r.key)}</a> : label(r.key)}</td>
          <CoverageCells compliant={r.compliant} inScope={r.inScope} />
        </tr>
      ))}
    </DataTable>
  );
}
