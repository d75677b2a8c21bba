'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { NavItem } from './nav';

/** `count`: what waits there (e.g. pending exception requests), shown as a badge when above zero. */
export function NavLinks({ items }: { items: (Pick<NavItem, 'href' | 'label'> & { count?: number; countLabel?: string })[] }) {
  const pathname = usePathname();
  return (
    <ul className="flex flex-wrap gap-1">
      {items.map((item) => {
        // The most specific item that matches is current (so /admin/users is not also Coverage).
        const matches = (href: string) => (href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`));
        const current = matches(item.href) && !items.some((o) => o.href.length > item.href.length && o.href.startsWith(item.href) && matches(o.href));
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={current ? 'page' : undefined}
              className={`inline-flex min-h-11 items-center rounded-lg px-3 py-2 text-sm font-semibold ${
                current ? 'bg-white text-brand-900' : 'text-white hover:bg-white/10'
              }`}
            >
              {item.label}
              {item.count ? (
                <span className="ml-1.5 rounded-full bg-amber-300 px-1.5 text-xs font-bold text-slate-900" data-testid="nav-count">
                  {item.count}
                  <span className="sr-only"> {item.countLabel}</span>
                </span>
              ) : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
