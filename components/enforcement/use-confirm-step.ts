'use client';

import { useEffect, useId, useState } from 'react';

/**
 * A second step before something that changes AWS: the first button opens a panel that says what will happen,
 * and its confirm button does it. Keyboard users land on the confirm button, and back on the opener on cancel.
 */
export function useConfirmStep<K extends string = string>() {
  const [open, setOpen] = useState<K | null>(null);
  const panelId = useId();
  const openerId = (key: K) => `${panelId}-open-${key}`;
  useEffect(() => {
    if (open !== null) document.getElementById(panelId)?.querySelector<HTMLElement>('button[type=submit]')?.focus();
  }, [open, panelId]);
  const close = () => {
    const was = open;
    setOpen(null);
    if (was !== null) requestAnimationFrame(() => document.getElementById(openerId(was))?.focus());
  };
  return { open, setOpen, close, panelId, openerId };
}
