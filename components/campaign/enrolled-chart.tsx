import { useId } from 'react';
import type { DaySeries } from '@/lib/campaign/projection';
import { formatDayMonth, plural } from '@/lib/format';
import { DataTable } from '@/components/ui/data-table';
import { XRangeLabels, YGridlines } from '@/components/ui/chart-axes';

const day = (key: string) => new Date(`${key}T00:00:00Z`);

/**
 * Enrollments per day of one cohort: a bar per UTC day, an SVG with a title and a description, and the same data as
 * a table. Sized by its viewBox, so it scales to a phone.
 */
export function EnrolledChart({ cohort, series }: { cohort: string; series: DaySeries }) {
  const id = useId();
  const { days } = series;
  const total = days.reduce((s, d) => s + d.enrolled, 0);
  const busiest = days.reduce((m, d) => (d.enrolled > m.enrolled ? d : m), days[0]!);
  const w = 320;
  const h = 120;
  const left = 24;
  const right = 6;
  const top = 10;
  const bottom = 20;
  const yMax = Math.max(1, busiest.enrolled);
  const slot = (w - left - right) / days.length;
  const barW = Math.max(1, slot * 0.8);
  const y = (n: number) => h - bottom - (n / yMax) * (h - top - bottom);
  const description =
    `${plural(total, 'enrollment')} from ${formatDayMonth(day(days[0]!.day))} to ${formatDayMonth(day(days.at(-1)!.day))}` +
    (total > 0 ? `; the most on ${formatDayMonth(day(busiest.day))} (${busiest.enrolled}).` : '.');
  return (
    <figure className="min-w-0" data-testid="enrolled-chart">
      <svg viewBox={`0 0 ${w} ${h}`} className="h-auto w-full" role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{`Enrolled per day in cohort ${cohort}`}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        <YGridlines values={[0, yMax]} x1={left} x2={w - right} y={y} />
        {days.map((d, i) =>
          d.enrolled > 0 ? <rect key={d.day} x={left + i * slot + (slot - barW) / 2} y={y(d.enrolled)} width={barW} height={y(0) - y(d.enrolled)} fill="#1d5fd1" /> : null,
        )}
        <XRangeLabels first={formatDayMonth(day(days[0]!.day))} last={formatDayMonth(day(days.at(-1)!.day))} x1={left} x2={w - right} y={h - 5} />
      </svg>
      <figcaption className="text-sm text-slate-700">{description}</figcaption>
      <details className="mt-1 text-sm">
        <summary className="cursor-pointer">Show the figures</summary>
        <DataTable label={`Enrolled per day in cohort ${cohort}`} caption={`Enrolled per day in cohort ${cohort}`} columns={['Day (UTC)', 'Enrolled', 'Enrolled so far']} className="mt-2 max-h-64 overflow-y-auto">
          {days.map((d) => (
            <tr key={d.day} className="border-t border-slate-100">
              <td className="py-1 pr-3">{formatDayMonth(day(d.day))}</td>
              <td className="py-1 pr-3 tabular-nums">{d.enrolled}</td>
              <td className="py-1 tabular-nums">{d.cumulative}</td>
            </tr>
          ))}
        </DataTable>
        {(series.before > 0 || series.unknownDate > 0) && (
          <p className="mt-1 text-slate-700">
            Also enrolled: {series.before} before the first day shown, {series.unknownDate} on a day the inventory does not know.
          </p>
        )}
      </details>
    </figure>
  );
}
