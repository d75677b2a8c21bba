import type { CohortBurndown } from '@/lib/inventory/queries';
import { burndownSummary } from '@/lib/inventory/coverage-view';
import { formatDateTime, formatDateTimeUtc, formatDayMonth } from '@/lib/format';
import { XRangeLabels, YGridlines } from '@/components/ui/chart-axes';

/**
 * Remaining gaps of one cohort over time (each inventory snapshot, then now) toward its deadline: an SVG with
 * the summary as its accessible name, and the figures in a table. Sized by its viewBox, so it scales to a phone.
 */
export function BurndownChart({ burndown, deadline }: { burndown: CohortBurndown; deadline: Date }) {
  const { cohort, points } = burndown;
  const last = points.at(-1)!;
  const now = last.takenAt;
  const summary = burndownSummary(last.remaining, deadline, now);
  const overdue = deadline.getTime() < now.getTime();

  const w = 320;
  const h = 150;
  const left = 30;
  const right = 14;
  const top = 18;
  const bottom = 24;
  const t0 = Math.min(points[0]!.takenAt.getTime(), deadline.getTime());
  const t1 = Math.max(deadline.getTime(), now.getTime(), t0 + 24 * 3600_000);
  const yMax = Math.max(1, ...points.map((p) => p.remaining));
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (w - left - right);
  const y = (n: number) => h - bottom - (n / yMax) * (h - top - bottom);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.takenAt.getTime()).toFixed(1)},${y(p.remaining).toFixed(1)}`).join(' ');
  const xd = x(deadline.getTime());

  return (
    <figure className="min-w-0" data-testid="burndown" data-cohort={cohort}>
      <h3 className="font-medium">
        Cohort <span className="font-mono">{cohort}</span>
      </h3>
      <p className={`text-sm ${overdue && last.remaining > 0 ? 'font-semibold text-red-700' : 'text-slate-700'}`} data-testid="burndown-summary">
        {summary} <span className="font-normal text-slate-600">(deadline {formatDateTimeUtc(deadline)}; {last.compliant} of {last.inScope} in scope compliant)</span>
        {burndown.extended > 0 && (
          <span className="block font-normal text-slate-600" data-testid="burndown-extended">
            {burndown.extended} of the remaining {burndown.extended === 1 ? 'has' : 'have'} more time (an extension, a new user’s window or a grace), enforced by IAM until {burndown.extended === 1 ? 'its' : 'their'} own date.
          </span>
        )}
      </p>
      <svg viewBox={`0 0 ${w} ${h}`} className="mt-1 h-auto w-full" role="img" aria-label={`Remaining gaps in cohort ${cohort} over time: ${summary}.`}>
        <YGridlines values={[0, yMax]} x1={left} x2={w - right} y={y} />
        {!overdue && last.remaining > 0 && (
          // The pace that would reach zero on the deadline.
          <line x1={x(now.getTime())} y1={y(last.remaining)} x2={xd} y2={y(0)} stroke="#94a3b8" strokeDasharray="4 3" />
        )}
        <line x1={xd} x2={xd} y1={top - 6} y2={h - bottom} stroke="#b91c1c" strokeWidth="1.5" strokeDasharray="3 2" />
        <text x={xd} y={top - 8} fontSize="11" fill="#b91c1c" textAnchor={xd > w - 60 ? 'end' : 'middle'}>
          Deadline
        </text>
        <path d={path} fill="none" stroke="#1d5fd1" strokeWidth="2.5" />
        {points.map((p, i) => (
          <circle key={i} cx={x(p.takenAt.getTime())} cy={y(p.remaining)} r="3.5" fill="#1d5fd1" />
        ))}
        <XRangeLabels first={formatDayMonth(new Date(t0))} last={formatDayMonth(new Date(t1))} x1={left} x2={w - right} y={h - 6} />
      </svg>
      <details className="mt-1 text-sm">
        <summary className="cursor-pointer">Show the figures</summary>
        <table className="mt-2 w-full text-left">
          <caption className="sr-only">Remaining gaps in cohort {cohort} after each inventory run, and now</caption>
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">In scope</th>
              <th scope="col">Remaining</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p, i) => (
              <tr key={i}>
                <td>{i === points.length - 1 ? 'Now' : formatDateTime(p.takenAt)}</td>
                <td className="tabular-nums">{p.inScope}</td>
                <td className="tabular-nums">{p.remaining}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
