import { z } from 'zod';

/**
 * Free text people type (reasons, justifications, approvers, names, notes) goes into the audit log and the
 * database. Control characters there are never meant (a NUL byte cannot even be stored: PostgreSQL refuses it),
 * so they are refused with a field error before anything is done. Multi-line fields (textareas) keep line breaks.
 */
const SINGLE_LINE = /[\u0000-\u001f\u007f]/;
// Browsers send a textarea's line breaks as \r\n: \n, and \r only before \n, are allowed.
const MULTI_LINE = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]|\r(?!\n)/;

export const CONTROL_CHARACTER_MESSAGE = 'Remove the control character (such as a tab or an invisible NUL byte, often pasted by accident): use printable text only.';

export const hasControlCharacter = (value: string, opts: { multiline?: boolean } = {}) => (opts.multiline ? MULTI_LINE : SINGLE_LINE).test(value);

/** `z.string()` that refuses control characters; chain `.trim().min().max()` as usual. */
export function freeText(opts: { multiline?: boolean; error?: string } = {}) {
  return z.string(opts.error ? { error: opts.error } : undefined).refine((v) => !hasControlCharacter(v, opts), CONTROL_CHARACTER_MESSAGE);
}
