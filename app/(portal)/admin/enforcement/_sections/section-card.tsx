import { Card } from '@/components/ui/card';

/** A page section: a card labelled by its own heading. */
export function SectionCard({ id, title, className, children }: { id: string; title: string; className: string; children: React.ReactNode }) {
  return (
    <Card aria-labelledby={id} className={className}>
      <h2 id={id} className="text-xl font-semibold">
        {title}
      </h2>
      {children}
    </Card>
  );
}
