const tones = {
  error: 'border-red-300 bg-red-50 text-red-900',
  warning: 'border-amber-300 bg-amber-50 text-amber-900',
  info: 'border-brand-100 bg-brand-50 text-brand-900',
  success: 'border-emerald-300 bg-emerald-50 text-emerald-900',
} as const;

export function Alert({
  tone = 'info',
  title,
  children,
  id,
}: {
  tone?: keyof typeof tones;
  title?: string;
  children?: React.ReactNode;
  id?: string;
}) {
  return (
    <div id={id} role={tone === 'error' ? 'alert' : 'status'} className={`rounded-lg border p-4 ${tones[tone]}`}>
      {title && <p className="font-semibold">{title}</p>}
      {children && <div className={title ? 'mt-1' : ''}>{children}</div>}
    </div>
  );
}
