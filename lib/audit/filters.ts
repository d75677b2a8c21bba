import { z } from 'zod';
import { freeText } from '@/lib/actions/free-text';
import { isoDay } from '@/lib/format';

/** The audit log's filters and page, as URL search params: parsed the same way by the page and the export. */
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from './actions';

export const OUTCOMES = AUDIT_OUTCOMES;
export const PAGE_SIZES = [25, 50, 100, 200] as const;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A calendar date as the date input sends it; 2025-02-30 is refused rather than rolled over. */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => {
    const d = new Date(`${v}T00:00:00.000Z`);
    return !Number.isNaN(d.getTime()) && isoDay(d) === v;
  });

export const auditFiltersSchema = z.object({
  /** An action name (`auth.sign-in`) or a prefix ending in `.*` (`program.*`). */
  action: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .max(100)
      .regex(/^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*(\.\*)?$/i)
      // Only actions of the typed list, or a prefix that names some of them.
      .refine((a) => (a.endsWith('.*') ? AUDIT_ACTIONS.some((k) => k.startsWith(a.slice(0, -1))) : (AUDIT_ACTIONS as readonly string[]).includes(a)))
      .optional(),
  ),
  actor: z.preprocess(blankToUndefined, freeText().trim().max(200).optional()),
  target: z.preprocess(blankToUndefined, freeText().trim().max(500).optional()),
  outcome: z.preprocess(blankToUndefined, z.enum(OUTCOMES).optional()),
  from: z.preprocess(blankToUndefined, day.optional()),
  to: z.preprocess(blankToUndefined, day.optional()),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)),
  pageSize: z.preprocess(blankToUndefined, z.coerce.number().int().min(10).max(200).default(50)),
});

export type AuditFilters = z.output<typeof auditFiltersSchema>;
type Params = Record<string, string | string[] | undefined>;

function flatten(params: Params): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (typeof v === 'string') flat[k] = v;
  return flat;
}

/** The names of the params that were given but are malformed (and so are ignored). */
export function invalidAuditParams(params: Params): (keyof AuditFilters)[] {
  const parsed = auditFiltersSchema.safeParse(flatten(params));
  if (parsed.success) return [];
  return [...new Set(parsed.error.issues.map((i) => String(i.path[0]) as keyof AuditFilters))];
}

/** Unknown or malformed params fall back to defaults instead of failing the page. */
export function parseAuditFilters(params: Params): AuditFilters {
  const flat = flatten(params);
  const parsed = auditFiltersSchema.safeParse(flat);
  if (parsed.success) return parsed.data;
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  return auditFiltersSchema.parse(Object.fromEntries(Object.entries(flat).filter(([k]) => !bad.has(k))));
}

export function auditFiltersToSearch(f: Partial<AuditFilters>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}

/** The filters without the page: what the export carries and what the export's own audit entry records. */
export function withoutPaging(f: Partial<AuditFilters>): Partial<AuditFilters> {
  const rest = { ...f };
  delete rest.page;
  delete rest.pageSize;
  return rest;
}

export type ActionMatch = { kind: 'exact'; action: string } | { kind: 'prefix'; prefix: string };

/** `program.*` matches every action under `program.` (not `program` itself, nor `programme.x`). */
export function actionMatch(action: string): ActionMatch {
  return action.endsWith('.*') ? { kind: 'prefix', prefix: action.slice(0, -1) } : { kind: 'exact', action };
}

/** The from/to days as an inclusive UTC range: [start of `from`, start of the day after `to`). */
export function dateRange(f: Pick<AuditFilters, 'from' | 'to'>): { since?: Date; before?: Date } {
  const since = f.from ? new Date(`${f.from}T00:00:00.000Z`) : undefined;
  let before: Date | undefined;
  if (f.to) {
    before = new Date(`${f.to}T00:00:00.000Z`);
    before.setUTCDate(before.getUTCDate() + 1);
  }
  return { since, before };
}

/** True when both days are given and `from` is after `to`: nothing can match. */
export const rangeIsEmpty = (f: Pick<AuditFilters, 'from' | 'to'>) => Boolean(f.from && f.to && f.from > f.to);

/**
 * The action select's options: a "family" prefix (`program.*`) for every first segment that has more
 * than one action, then every action; the current value is kept even when no entry has it yet.
 */
export function actionOptions(actions: readonly string[], current?: string): string[] {
  const counts = new Map<string, number>();
  for (const a of actions) {
    const dot = a.indexOf('.');
    if (dot > 0) counts.set(a.slice(0, dot), (counts.get(a.slice(0, dot)) ?? 0) + 1);
  }
  const families = [...counts].filter(([, n]) => n > 1).map(([f]) => `${f}.*`);
  const options = [...new Set([...families, ...actions])].sort();
  if (current && !options.includes(current)) options.unshift(current);
  return options;
}
