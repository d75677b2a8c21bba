'use client';

import { Button } from '@/components/ui/button';
import { Alert } from '@/components/ui/alert';

export default function PortalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Something went wrong</h1>
      <Alert tone="error" title="This page could not be loaded.">
        <p>Nothing was changed. Try again; if it keeps failing, give your administrator this reference: {error.digest ?? 'n/a'}.</p>
      </Alert>
      <Button onClick={reset}>Try again</Button>
    </div>
  );
}
