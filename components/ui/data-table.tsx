import { TableHead } from './table-head';

type DataTableProps = {
  /** Names the scroll region ("Audit entries" reads "Audit entries (scrolls sideways)"); unique on its page. */
  label: string;
  /** Screen-reader caption of the table itself. */
  caption?: React.ReactNode;
  columns?: React.ReactNode[];
  /** A white, bordered box with a shaded header row, for a table that stands on its own (not inside a card). */
  framed?: boolean;
  /** A plain bordered box with a shaded header row, for a table inside a card. */
  boxed?: boolean;
  /** Overrides the header row's classes (e.g. the first column's inset, to match the cells). */
  headClassName?: string;
  /** Extra classes on the scroll region (spacing). */
  className?: string;
  /** Extra classes on the <table> (a min-width, so a phone scrolls instead of squeezing the columns). */
  tableClassName?: string;
  /** Header row when a plain list of column labels is not enough (sortable columns). */
  head?: React.ReactNode;
  tableProps?: React.TableHTMLAttributes<HTMLTableElement> & { 'data-testid'?: string };
  bodyProps?: React.HTMLAttributes<HTMLTableSectionElement> & { 'data-testid'?: string };
  children: React.ReactNode;
};

/** A region that scrolls sideways on a phone instead of widening the page; focusable, so a keyboard can scroll it. */
export function ScrollRegion({ label, className = '', children, ...rest }: { label: string; className?: string; children: React.ReactNode; 'data-testid'?: string }) {
  return (
    <div className={`relative overflow-x-auto ${className}`} tabIndex={0} role="region" aria-label={`${label} (scrolls sideways)`} {...rest}>
      {children}
    </div>
  );
}

/**
 * A table in a container that scrolls sideways on a phone instead of squeezing the columns. The container is a
 * labelled region that takes keyboard focus, so a keyboard user can scroll it too (axe: scrollable-region-focusable).
 */
export function DataTable({ label, caption, columns, framed = false, boxed = false, headClassName, className = '', tableClassName = '', head, tableProps, bodyProps, children }: DataTableProps) {
  const frame = framed ? 'rounded-xl border border-slate-200 bg-white' : boxed ? 'rounded-lg border border-slate-200' : '';
  // Whole class names (Tailwind finds classes by scanning the source, so they may not be assembled).
  const headClass = headClassName ?? (framed ? 'bg-slate-50 text-slate-600 [&_th:first-child]:pl-3' : boxed ? 'bg-slate-50 text-slate-600 [&_th:first-child]:pl-2' : undefined);
  return (
    <ScrollRegion label={label} className={`${frame} ${className}`}>
      <table className={`w-full text-left text-sm ${tableClassName}`} {...tableProps}>
        {caption && <caption className="sr-only">{caption}</caption>}
        {head ?? <TableHead className={headClass} columns={columns ?? []} />}
        <tbody {...bodyProps}>{children}</tbody>
      </table>
    </ScrollRegion>
  );
}
