import { Button } from '@/components/ui/button';

/** The buttons and progress line of a confirmation step: confirm (busy while it runs) or cancel. */
export function ConfirmActions({ busy, confirm, working, progress, onCancel }: { busy: boolean; confirm: string; working: string; progress: string; onCancel: () => void }) {
  return (
    <>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={busy} aria-busy={busy}>
          {busy ? working : confirm}
        </Button>
        <Button variant="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
      </div>
      <p role="status" aria-live="polite" className="text-sm text-amber-950">
        {busy ? progress : ''}
      </p>
    </>
  );
}
