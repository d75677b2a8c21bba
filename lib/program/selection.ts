import { parseUserFilters, type UserFilters } from '@/lib/inventory/user-filters';

/** The users table's query string, without paging and sort: the set of users a bulk decision applies to. */
export function selectionOf(query: string): Partial<UserFilters> {
  const f: Partial<UserFilters> = { ...parseUserFilters(Object.fromEntries(new URLSearchParams(query))) };
  delete f.page;
  delete f.pageSize;
  delete f.sort;
  delete f.dir;
  return f;
}
