import { Field } from '@/components/ui/field';

/**
 * The fields a decision needs beyond its kind: an exception's justification and end date (its approver is the admin
 * who approves the request, never typed); an out-of-scope reason. The same for a category's default decision and one user's.
 */
export function DecisionDetails({
  decision,
  initial,
  errors,
  expiryHint,
  reasonExample,
}: {
  decision: string;
  initial: { reason: string; expiresAt: string };
  errors?: Partial<Record<string, string[]>>;
  expiryHint: string;
  reasonExample: string;
}) {
  if (decision === 'exception')
    return (
      <div className="grid gap-3 sm:grid-cols-2">
        <Field className="sm:col-span-2" label="Justification" name="reason" defaultValue={initial.reason} required minLength={10} maxLength={1000} errors={errors?.reason} />
        <Field label="Exception ends (UTC date)" name="expiresAt" type="date" defaultValue={initial.expiresAt} required hint={expiryHint} errors={errors?.expiresAt} />
      </div>
    );
  if (decision === 'out-of-scope')
    return <Field label="Reason" name="reason" defaultValue={initial.reason} required minLength={5} maxLength={1000} hint={`e.g. “${reasonExample}”`} errors={errors?.reason} />;
  return null;
}
