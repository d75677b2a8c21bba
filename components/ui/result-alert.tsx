import type { ActionResult } from '@/lib/actions/result';
import { Alert } from './alert';

/** The message of an action's result, announced to screen readers; nothing for idle. */
export function ResultAlert({ result }: { result: ActionResult<unknown> }) {
  if (result.status === 'error') return <Alert tone="error">{result.message}</Alert>;
  if (result.status === 'invalid' && result.message) return <Alert tone="error">{result.message}</Alert>;
  if (result.status === 'success' && result.message) return <Alert tone="success">{result.message}</Alert>;
  return null;
}

export const fieldErrors = (result: ActionResult<unknown>) => (result.status === 'invalid' ? result.fieldErrors : undefined);
