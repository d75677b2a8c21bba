const tones = {
  good: 'bg-emerald-50 text-emerald-800 ring-emerald-600/30',
  bad: 'bg-red-50 text-red-800 ring-red-600/30',
  neutral: 'bg-slate-100 text-slate-700 ring-slate-500/30',
  info: 'bg-brand-50 text-brand-900 ring-brand-600/30',
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({ tone = 'neutral', children }: { tone?: BadgeTone; children: React.ReactNode }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-sm font-medium ring-1 ring-inset ${tones[tone]}`}>
      {children}
    </span>
  );
}
