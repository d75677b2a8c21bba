/** How an audit entry's detail reads in a table. Pure: the page and its tests use it. */

/** One changed field; null means the field was absent on that side (a create, a delete, a new key). */
export type FieldChange = { field: string; before: string | null; after: string | null };

type Plain = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with object keys sorted, so that key order never shows as a change. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A value as one line of text: strings as they are, everything nested as JSON. */
export function displayValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return stableJson(value);
}

const present = (o: Plain | null, k: string) => o !== null && Object.hasOwn(o, k) && o[k] !== undefined;

/**
 * The fields that changed, when the detail records a change as `{ before, after }` (objects, or null for
 * a create or a delete); null when it does not, so callers show the other detail instead.
 */
export function diffDetail(detail: unknown): FieldChange[] | null {
  if (!isPlainObject(detail) || !('before' in detail) || !('after' in detail)) return null;
  const { before, after } = detail;
  if (before === null && after === null) return [];
  if (!(before === null || isPlainObject(before)) || !(after === null || isPlainObject(after))) {
    // A whole value (a list, a number) replaced: one change without a field name.
    return stableJson(before) === stableJson(after) ? [] : [{ field: 'value', before: displayValue(before), after: displayValue(after) }];
  }
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const b = present(before, field) ? before![field] : undefined;
    const a = present(after, field) ? after![field] : undefined;
    if (b === undefined && a === undefined) continue;
    if (b !== undefined && a !== undefined && stableJson(b) === stableJson(a)) continue;
    changes.push({ field, before: b === undefined ? null : displayValue(b), after: a === undefined ? null : displayValue(a) });
  }
  return changes;
}

/** The detail's other keys (a reason, a method, filters), for entries that are not changes or besides one. */
export function otherDetail(detail: unknown): { key: string; value: string }[] {
  if (!isPlainObject(detail)) return [];
  const change = diffDetail(detail) !== null;
  return Object.entries(detail)
    .filter(([k, v]) => v !== undefined && !(change && (k === 'before' || k === 'after')))
    .map(([key, value]) => ({ key, value: displayValue(value) }));
}
