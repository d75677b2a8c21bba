export function Skeleton({ className = '' }: { className?: string }) {
  return <div aria-hidden="true" className={`animate-pulse rounded-md bg-slate-200 ${className}`} />;
}

/** A skeleton that also tells screen readers what is loading. */
export function Loading({ label, className }: { label: string; className: string }) {
  return (
    <div>
      <p role="status" aria-live="polite" className="sr-only">
        {label}
      </p>
      <Skeleton className={`w-full ${className}`} />
    </div>
  );
}
