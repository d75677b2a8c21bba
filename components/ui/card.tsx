export function Card({ children, className = '', as: Tag = 'section', ...rest }: React.HTMLAttributes<HTMLElement> & { as?: 'section' | 'div' | 'article' }) {
  return (
    <Tag className={`rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6 ${className}`} {...rest}>
      {children}
    </Tag>
  );
}
