import { z } from 'zod';
import { freeText } from '@/lib/actions/free-text';
import { ACCOUNT_ID } from '@/lib/iam-identifiers';
import { INVENTORY_FLAGS } from './classify';

/** The users table's search, filters, sort and page, as URL search params: parsed the same way by the page and the exports. */
export const TAG_KEYS = ['Environment', 'Application', 'Owner', 'CostCenter'] as const;
export const FLAGS = INVENTORY_FLAGS;
export const SORTS = ['name', 'account', 'state', 'category', 'created', 'lastUsed'] as const;
/** `expired-exception`: an exception past its expiry (in scope again); `exception`: one still in force. */
export const DECISION_FILTERS = ['required', 'exception', 'expired-exception', 'out-of-scope'] as const;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const userFiltersSchema = z.object({
  q: z.preprocess(blankToUndefined, freeText().trim().max(100).optional()),
  account: z.preprocess(blankToUndefined, z.string().regex(ACCOUNT_ID).optional()),
  console: z.preprocess(blankToUndefined, z.enum(['yes', 'no']).optional()),
  /** `gap`: in scope and not compliant with the category's rules; `compliant`: meets them (in scope or not). */
  mfa: z.preprocess(blankToUndefined, z.enum(['enabled', 'none', 'leftover-only', 'gap', 'compliant']).optional()),
  /** in: MFA is required of the user now (console access, and required or an expired exception). */
  scope: z.preprocess(blankToUndefined, z.enum(['in', 'out']).optional()),
  /** A category id, or `none` for users no category selects. */
  category: z.preprocess(blankToUndefined, z.string().regex(/^(none|[1-9]\d{0,8})$/).optional()),
  decision: z.preprocess(blankToUndefined, z.enum(DECISION_FILTERS).optional()),
  flag: z.preprocess(blankToUndefined, z.enum(FLAGS).optional()),
  tagKey: z.preprocess(blankToUndefined, z.enum(TAG_KEYS).optional()),
  tagValue: z.preprocess(blankToUndefined, freeText().trim().max(256).optional()),
  sort: z.preprocess(blankToUndefined, z.enum(SORTS).default('name')),
  dir: z.preprocess(blankToUndefined, z.enum(['asc', 'desc']).default('asc')),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)),
  pageSize: z.preprocess(blankToUndefined, z.coerce.number().int().min(10).max(200).default(50)),
});

export type UserFilters = z.output<typeof userFiltersSchema>;

/** Unknown or malformed params fall back to defaults instead of failing the page. */
export function parseUserFilters(params: Record<string, string | string[] | undefined>): UserFilters {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (typeof v === 'string') flat[k] = v;
  const parsed = userFiltersSchema.safeParse(flat);
  if (parsed.success) return parsed.data;
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  return userFiltersSchema.parse(Object.fromEntries(Object.entries(flat).filter(([k]) => !bad.has(k))));
}

export function filtersToSearch(f: Partial<UserFilters>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}
