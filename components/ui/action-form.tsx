'use client';

import { useTransition } from 'react';

/**
 * A form that submits to a server action without React's automatic reset, so that a refused
 * submission keeps what the person typed (a serial, a device name) for them to correct.
 */
export function ActionForm({
  action,
  children,
  ...rest
}: Omit<React.FormHTMLAttributes<HTMLFormElement>, 'action' | 'onSubmit'> & { action: (formData: FormData) => void }) {
  const [, startTransition] = useTransition();
  return (
    // method="post": submitted before hydration (or without JavaScript) the browser posts the fields instead of
    // putting them, a code or a secret among them, into the URL and the history.
    <form
      method="post"
      {...rest}
      onSubmit={(event) => {
        event.preventDefault();
        const formData = new FormData(event.currentTarget);
        startTransition(() => action(formData));
      }}
    >
      {children}
    </form>
  );
}
