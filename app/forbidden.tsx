import Link from 'next/link';
import { buttonClass } from '@/components/ui/button';

export const metadata = { title: 'Not allowed' };

export default function Forbidden() {
  return (
    <main id="main" className="mx-auto max-w-xl px-4 py-16 text-center">
      <p className="text-sm font-semibold text-red-700">403</p>
      <h1 className="mt-2 text-3xl font-bold">You don&apos;t have access to this page</h1>
      <p className="mt-4 text-slate-700">
        This area is for portal administrators. If you need it, ask to be added to the administrators&apos; IAM group or
        identity-provider group.
      </p>
      <Link href="/" className={buttonClass('primary', 'mt-6')}>
        Go to my IAM users
      </Link>
    </main>
  );
}
