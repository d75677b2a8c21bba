import Link from 'next/link';
import { buttonClass } from './button';
import { Card } from './card';

/** Previous / next links for a paged table; `href` builds the URL of a page (filters kept). */
export function Pager({ page, pages, href }: { page: number; pages: number; href: (page: number) => string }) {
  return (
    <nav aria-label="Pages" className="flex flex-wrap gap-2">
      {page > 1 && (
        <Link className={buttonClass('secondary')} href={href(Math.min(page - 1, pages))}>
          Previous page
        </Link>
      )}
      {page < pages && (
        <Link className={buttonClass('secondary')} href={href(page + 1)}>
          Next page
        </Link>
      )}
    </nav>
  );
}

/** The empty state of a paged, filtered table: why it is empty, and a way back when the page is past the end. */
export function NoResults({ message, pastTheEnd, firstPage }: { message: string; pastTheEnd: boolean; firstPage: string }) {
  return (
    <Card>
      <p className="text-slate-700">{message}</p>
      {pastTheEnd && (
        <Link href={firstPage} className="mt-2 inline-block underline">
          Go to the first page
        </Link>
      )}
    </Card>
  );
}

/**
 * A paged, filtered table: "N things · page P of Q" (announced as a status), then the table or, when this page has
 * no rows, why not (with a way back to the first page when past the end), then the pager.
 */
export function PagedResults({
  count,
  total,
  page,
  pages,
  href,
  empty,
  testId,
  children,
}: {
  /** "12 entries" */
  count: string;
  total: number;
  page: number;
  pages: number;
  href: (page: number) => string;
  /** Shown instead of the table when this page has no rows; null while there are rows. */
  empty: string | null;
  testId: string;
  children: React.ReactNode;
}) {
  return (
    <>
      <p role="status" className="text-sm text-slate-700" data-testid={testId}>
        {count} · page {page} of {pages}
      </p>
      {empty !== null ? <NoResults message={empty} pastTheEnd={page > 1 && total > 0} firstPage={href(1)} /> : children}
      <Pager page={page} pages={pages} href={href} />
    </>
  );
}
