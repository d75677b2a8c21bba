import Link from 'next/link';
import { buttonClass } from '@/components/ui/button';

export const metadata = { title: 'Page not found' };

export default function NotFound() {
  return (
    <main id="main" className="mx-auto max-w-xl px-4 py-16 text-center">
      <p className="text-sm font-semibold text-brand-700">404</p>
      <h1 className="mt-2 text-3xl font-bold">Page not found</h1>
      <p className="mt-4 text-slate-700">There is nothing at this address. It may have moved, or the link may be mistyped.</p>
      <Link href="/" className={buttonClass('primary', 'mt-6')}>
        Go to my IAM users
      </Link>
    </main>
  );
}
