import { listManagedAccounts } from '@/lib/accounts/registry';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireRole } from '@/lib/auth/session';
import { listCategories } from '@/lib/program/categories';
import { categoryFormValues } from '@/lib/program/category-form-values';
import { Card } from '@/components/ui/card';
import { CategoryForm } from '../category-form';
import { ExceptionRequestForm } from '@/components/program/exception-request-form';
import { requestCategoryExceptionAction } from '../../actions';

export const metadata = { title: 'Edit category' };

export default async function EditCategoryPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireRole('security');
  const { id } = await params;
  if (!/^\d{1,9}$/.test(id)) notFound();
  const category = (await listCategories(actor)).find((c) => c.id === Number(id));
  if (!category) notFound();
  const values = categoryFormValues(category);
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm"><Link className="underline" href="/admin/program">Enrollment program</Link> /</p>
        <h1 className="text-2xl font-bold sm:text-3xl">Edit {category.name}</h1>
        <p className="text-slate-700">Changes apply at once to coverage, members’ deadlines and reminders, and are recorded in the audit log.</p>
      </div>
      <Card>
        <CategoryForm initial={{ ...values, allowedDeviceTypes: [...values.allowedDeviceTypes] }} accounts={await listManagedAccounts()} />
      </Card>
      <Card aria-labelledby="category-exception-heading">
        <h2 id="category-exception-heading" className="text-lg font-semibold">Request a category-wide exception</h2>
        <p className="mt-1 text-sm text-slate-700">
          Every user of {category.name} would be excepted from MFA until the end date. Another admin (not you) approves or rejects it under Exceptions,
          pending requests; the approval sets this category’s default decision to “exception”, with the approver recorded.
        </p>
        <div className="mt-3">
          <ExceptionRequestForm action={requestCategoryExceptionAction} hidden={{ categoryId: String(category.id) }} label={`Category-wide exception request for ${category.name}`} />
        </div>
      </Card>
    </div>
  );
}
