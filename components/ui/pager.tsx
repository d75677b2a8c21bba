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
