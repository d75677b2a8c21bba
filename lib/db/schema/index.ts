/**
 * The database schema, one file per domain. Import from `@/lib/db/schema` (this index); drizzle.config.ts reads it
 * here for `drizzle-kit generate`. Migrations live in lib/db/migrations.
 */
export * from './accounts';
export * from './audit';
export * from './auth';
export * from './campaign';
export * from './enrollment';
export * from './events';
export * from './exception-requests';
export * from './inventory';
export * from './messages';
export * from './program';
export * from './program-facts';
export * from './recovery';
export * from './windows';
