import { z } from 'zod';

/** PostgreSQL `integer` / `serial` ids stop here; a larger number in a URL is no id and must not reach a query. */
export const MAX_DB_ID = 2_147_483_647;

/** A database id from a URL segment or search param (digits only, 1..MAX_DB_ID); null for anything else. */
export function parseDbId(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,9}$/.test(raw)) return null;
  const id = Number(raw);
  return id <= MAX_DB_ID ? id : null;
}

/** decodeURIComponent that answers null for a malformed escape instead of throwing (which would be a 500). */
export function safeDecode(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** A form field holding a database id: coerced, and refused (not a 500 from the query) past the integer column. */
export const dbIdField = () => z.coerce.number('Not an id.').int('Not an id.').min(1, 'Not an id.').max(MAX_DB_ID, 'No such item.');
