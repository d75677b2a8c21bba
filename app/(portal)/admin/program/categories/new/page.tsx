import { listManagedAccounts } from '@/lib/accounts/registry';
import Link from 'next/link';
import { requireRole } from '@/lib/auth/session';
import { categoryFormValues } from '@/lib/program/category-form-values';
import { Card } from '@/components/ui/card';
import { CategoryForm } from '../category-form';

export const metadata = { title: 'New category' };

export default async function NewCategoryPage() {
  await requireRole('security');
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm"><Link className="underline" href="/admin/program">Enrollment program</Link> /</p>
        <h1 className="text-2xl font-bold sm:text-3xl">New category</h1>
        <p className="text-slate-700">It is added last in the first-match order; move it up on the program page.</p>
      </div>
      <Card>
        <CategoryForm initial={{ ...categoryFormValues(null), allowedDeviceTypes: ['virtual', 'hardware', 'fido'] }} accounts={await listManagedAccounts()} />
      </Card>
    </div>
  );
}
