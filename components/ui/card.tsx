export function Card({ children, className = '', as: Tag = 'section', ...rest }: React.HTMLAttributes<HTMLElement> & { as?: 'section' | 'div' | 'article' }) {
  return (
    <Tag className={`rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6 ${className}`} {...rest}>
      {children}
    </Tag>
  );
}

type CardSectionProps = Omit<React.HTMLAttributes<HTMLElement>, 'title'> & {
  /** The heading's id; the card is a region named by its heading. */
  id: string;
  title: React.ReactNode;
  level?: 2 | 3;
  headingClassName?: string;
};

/** A card that is a landmark region named by its own heading: the page's sections, one markup everywhere. */
export function CardSection({ id, title, level = 2, headingClassName = 'text-lg font-semibold', children, ...rest }: CardSectionProps) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <Card aria-labelledby={id} {...rest}>
      <Heading id={id} className={headingClassName}>
        {title}
      </Heading>
      {children}
    </Card>
  );
}
