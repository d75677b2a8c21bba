'use client';

import { useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { refreshInventoryAction, runProgressAction, type RunProgressView } from './actions';
import { idle } from '@/lib/actions/result';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

const POLL_MS = 1500;
const GIVE_UP_MS = 15 * 60_000;

/** Starts an inventory refresh (or joins the running one) and shows its progress until it ends. */
export function RefreshButton() {
  const router = useRouter();
  const [view, setView] = useState<RunProgressView | null>(null);
  const [message, setMessage] = useState<{ tone: 'error' | 'info' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const stop = useRef(false);

  async function run() {
    setBusy(true);
    setMessage(null);
    stop.current = false;
    const started = await refreshInventoryAction(idle, new FormData());
    if (started.status !== 'success') {
      setMessage({ tone: 'error', text: started.status === 'error' ? started.message : 'Could not start the refresh.' });
      setBusy(false);
      return;
    }
    if (started.message) setMessage({ tone: 'info', text: started.message });
    const fd = new FormData();
    fd.set('runId', String(started.data.runId));
    const until = Date.now() + GIVE_UP_MS;
    while (!stop.current && Date.now() < until) {
      const progress = await runProgressAction(idle, fd);
      if (progress.status !== 'success') {
        setMessage({ tone: 'error', text: progress.status === 'error' ? progress.message : 'Lost track of the refresh.' });
        break;
      }
      setView(progress.data);
      if (progress.data.status !== 'running') {
        setMessage(
          progress.data.status === 'succeeded'
            ? { tone: 'success', text: `Inventory refreshed: ${progress.data.usersSeen} IAM users in ${progress.data.accountsTotal} accounts.` }
            : { tone: 'error', text: `The refresh ended ${progress.data.status}${progress.data.error ? `: ${progress.data.error}` : ''}. Accounts that failed keep their previous data.` },
        );
        router.refresh();
        break;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    setBusy(false);
  }

  return (
    <div className="space-y-2">
      <Button onClick={run} disabled={busy} aria-busy={busy}>
        {busy ? 'Refreshing…' : 'Refresh inventory now'}
      </Button>
      {busy && view && (
        <div role="status" aria-live="polite" className="space-y-1 text-sm">
          <p>
            {view.accountsDone} of {view.accountsTotal} accounts done · {view.usersSeen} users so far{view.phase ? ` · ${view.phase}` : ''}
          </p>
          <progress className="w-full" max={Math.max(1, view.accountsTotal)} value={view.accountsDone} aria-label="Accounts collected" />
        </div>
      )}
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
    </div>
  );
}
