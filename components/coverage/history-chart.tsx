import { formatDateTime, formatDateTimeUtc } from '@/lib/format';

/** Coverage over time from stored snapshots: an SVG line with the same figures in a table for assistive tech. */
export function HistoryChart({ points }: { points: { takenAt: Date; coveragePct: number; inScope: number; withMfa: number }[] }) {
  if (points.length === 0) return <p className="text-sm text-slate-600">No inventory has run yet.</p>;
  const w = 600;
  const h = 160;
  const pad = 24;
  const x = (i: number) => (points.length === 1 ? w / 2 : pad + (i * (w - 2 * pad)) / (points.length - 1));
  const y = (pct: number) => h - pad - (pct / 100) * (h - 2 * pad);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.coveragePct).toFixed(1)}`).join(' ');
  return (
    <figure>
      <svg viewBox={`0 0 ${w} ${h}`} className="h-40 w-full" role="img" aria-labelledby="history-caption">
        {[0, 50, 100].map((g) => (
          <g key={g}>
            <line x1={pad} x2={w - pad} y1={y(g)} y2={y(g)} stroke="#e2e8f0" />
            <text x={2} y={y(g) + 4} fontSize="10" fill="#475569">
              {g}%
            </text>
          </g>
        ))}
        <path d={path} fill="none" stroke="#1d5fd1" strokeWidth="2.5" />
        {points.map((p, i) => (
          <circle key={i} cx={x(i)} cy={y(p.coveragePct)} r="3.5" fill="#1d5fd1" />
        ))}
      </svg>
      <figcaption id="history-caption" className="text-sm text-slate-600">
        In-scope coverage after each inventory run: {points.at(-1)!.coveragePct}% now
        {points.length > 1 ? `, ${points[0]!.coveragePct}% at ${formatDateTimeUtc(points[0]!.takenAt)}` : ''}.
      </figcaption>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer">Show the figures</summary>
        <table className="mt-2 w-full text-left">
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">In scope</th>
              <th scope="col">Compliant</th>
              <th scope="col">Coverage</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p, i) => (
              <tr key={i}>
                <td>{formatDateTime(p.takenAt)}</td>
                <td>{p.inScope}</td>
                <td>{p.withMfa}</td>
                <td>{p.coveragePct}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
