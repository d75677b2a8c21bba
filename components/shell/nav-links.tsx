'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { NavItem } from './nav';

export function NavLinks({ items }: { items: Pick<NavItem, 'href' | 'label'>[] }) {
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
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
