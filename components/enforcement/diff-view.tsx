import type { DiffLine } from '@/lib/enforcement/diff';
import { ScrollRegion } from '@/components/ui/data-table';
import { hunks } from './diff-hunks';

const rowClass = 'whitespace-pre px-2';

/**
 * A line diff: added lines green with "+", removed lines red with "-" (the marks and the screen-reader words
 * carry the meaning, not the colour), unchanged stretches folded. Scrolls sideways in its own box on a phone.
 */
export function DiffView({ lines, label }: { lines: readonly DiffLine[]; label: string }) {
  const rows = hunks(lines);
  return (
    <ScrollRegion label={label} className="rounded-lg border border-slate-200 bg-white" data-testid="diff">
      <div className="min-w-max py-1 font-mono text-xs leading-5">
        {rows.map((r, i) => {
          if (r.kind === 'skip')
            return (
              <div key={i} className={`${rowClass} bg-slate-50 text-slate-600 italic`}>
                ⋯ {r.count} unchanged line{r.count === 1 ? '' : 's'}
              </div>
            );
          if (r.kind === 'add')
            return (
              <ins key={i} className={`${rowClass} block bg-emerald-50 text-emerald-900 no-underline`} data-kind="add">
                <span aria-hidden="true">+ </span>
                <span className="sr-only">Added: </span>
                {r.text}
              </ins>
            );
          if (r.kind === 'remove')
            return (
              <del key={i} className={`${rowClass} block bg-red-50 text-red-900 no-underline`} data-kind="remove">
                <span aria-hidden="true">- </span>
                <span className="sr-only">Removed: </span>
                {r.text}
              </del>
            );
          return (
            <div key={i} className={`${rowClass} text-slate-700`}>
              <span aria-hidden="true">{'  '}</span>
              {r.text}
            </div>
          );
        })}
      </div>
    </ScrollRegion>
  );
}
