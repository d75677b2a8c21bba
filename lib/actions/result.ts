/** What every server action and domain operation returns: expected failures are results, bugs throw. */
export type ActionResult<T = undefined> =
  | { status: 'idle' }
  | { status: 'success'; data: T; message?: string }
  | { status: 'invalid'; fieldErrors: Partial<Record<string, string[]>>; message?: string }
  | { status: 'error'; code: string; message: string };

export const idle = { status: 'idle' } as const;

export const ok = <T>(data: T, message?: string): ActionResult<T> => ({ status: 'success', data, message });

export const fail = (code: string, message: string): { status: 'error'; code: string; message: string } => ({ status: 'error', code, message });

export const invalid = (fieldErrors: Partial<Record<string, string[]>>, message?: string): { status: 'invalid'; fieldErrors: Partial<Record<string, string[]>>; message?: string } => ({
  status: 'invalid',
  fieldErrors,
  message,
});
