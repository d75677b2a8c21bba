/**
 * PostgreSQL's unique_violation (23505), as node-postgres and PGlite raise it, or wrapped by drizzle (`cause`): two
 * writers racing for the same row, which a unique index decides.
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  return e?.code === '23505' || e?.cause?.code === '23505';
}
