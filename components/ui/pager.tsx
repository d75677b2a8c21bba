import Link from 'next/link';
import { buttonClass } from './button';

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
