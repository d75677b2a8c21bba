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
    <form
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
