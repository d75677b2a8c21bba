'use client';

import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { Alert } from '@/components/ui/alert';

/**
 * The removed device's row (and its form) disappears when the list is re-read, so the confirmation of what was
 * removed is shown above the list instead, and focus moves to it so keyboard users are not left nowhere.
 */
const NoticeContext = createContext<(message: string) => void>(() => undefined);

export const useAnnounceRemoval = () => useContext(NoticeContext);

export function RemovedNotice({ children }: { children: React.ReactNode }) {
  const [message, setMessage] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) ref.current?.focus();
  }, [message]);
  return (
    <NoticeContext.Provider value={setMessage}>
      {message && (
        <div ref={ref} tabIndex={-1} className="outline-none" data-testid="removed-notice">
          <Alert tone="success" title="Device removed">
            {message}
          </Alert>
        </div>
      )}
      {children}
    </NoticeContext.Provider>
  );
}
