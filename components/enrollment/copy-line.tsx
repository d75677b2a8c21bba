'use client';

import { useId, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';

/** A command shown as text with a keyboard-usable copy button; without clipboard access the text is selected instead. */
export function CopyLine({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'selected'>('idle');
  const codeRef = useRef<HTMLElement>(null);
  const id = useId();
  return (
    <div className="space-y-2" data-testid={testId}>
      <pre className="overflow-x-auto rounded-lg bg-slate-900 p-3 text-sm text-slate-50">
        <code id={id} ref={codeRef} className="break-all whitespace-pre-wrap">
          {text}
        </code>
      </pre>
      <div className="flex flex-wrap items-center gap-3">
        <Button
          variant="secondary"
          aria-describedby={id}
          aria-label={label}
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(text);
              setState('copied');
            } catch {
              const range = document.createRange();
              if (codeRef.current) range.selectNodeContents(codeRef.current);
              window.getSelection()?.removeAllRanges();
              window.getSelection()?.addRange(range);
              setState('selected');
            }
          }}
        >
          Copy
        </Button>
        <span aria-live="polite" className="text-sm text-slate-700">
          {state === 'copied' ? 'Copied to the clipboard.' : state === 'selected' ? 'Selected: press Ctrl+C (or ⌘C) to copy.' : ''}
        </span>
      </div>
    </div>
  );
}
