import Link from 'next/link';
import { buttonClass } from './button';

/** A GET filter form's buttons: apply, clear (back to the unfiltered page), then any exports of what the filters select. */
export function FilterActions({ clearHref, apply = 'Apply filters', className = '', children }: { clearHref: string; apply?: string; className?: string; children?: React.ReactNode }) {
  return (
    <div className={`flex flex-wrap items-end gap-2 ${className}`}>
      <button type="submit" className={buttonClass('primary')}>
        {apply}
      </button>
      <Link href={clearHref} className={buttonClass('secondary')}>
        Clear
      </Link>
      {children}
    </div>
  );
}
