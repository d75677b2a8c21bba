import 'server-only';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { getEnv } from '@/lib/env';
import * as schema from './schema/index';
import { processLog } from '@/lib/log';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Database = { db: Db; kind: 'pglite' | 'postgres'; close(): Promise<void> };

const migrationsFolder = path.join(process.cwd(), 'lib/db/migrations');
/** Serialises migrations when several portal instances start against one PostgreSQL server. */
const MIGRATION_LOCK = 7_263_001;

/** Opens `pglite:<dir>` (embedded, one process per directory) or `postgres://…`, and applies migrations. */
export async function openDatabase(url: string): Promise<Database> {
  if (url.startsWith('pglite:')) {
    const dir = path.resolve(url.slice('pglite:'.length));
    await mkdir(dir, { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const client = new PGlite(dir);
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder });
    return { db: db as unknown as Db, kind: 'pglite', close: () => client.close() };
  }
  const { Pool } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const pool = new Pool({ connectionString: url, max: 10 });
  // An idle pooled connection the server ends (a restart, a failover, an administrator) is reported here; unhandled,
  // it would be an uncaught exception that stops the portal. The pool replaces the connection on the next query.
  pool.on('error', (error) => {
    processLog.error({ err: error }, 'db: connection lost while idle (the pool replaces it on the next query)');
  });
  const conn = await pool.connect();
  try {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrate(drizzle(conn, { schema }), { migrationsFolder });
  } finally {
    await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    conn.release();
  }
  const db = drizzle(pool, { schema });
  return { db: db as unknown as Db, kind: 'postgres', close: () => pool.end() };
}

// Kept on globalThis so that dev-mode module reloads reuse the one PGlite instance per data directory.
const holder = globalThis as unknown as { __mfaPortalDb?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  holder.__mfaPortalDb ??= openDatabase(getEnv().DATABASE_URL).catch((error) => {
    holder.__mfaPortalDb = undefined;
    throw error;
  });
  return holder.__mfaPortalDb;
}

/** Shutdown: closes the pool (or PGlite) this process opened; a later getDatabase() would open it again. */
export async function closeDatabase(): Promise<void> {
  const pending = holder.__mfaPortalDb;
  holder.__mfaPortalDb = undefined;
  const database = await pending?.catch(() => undefined);
  await database?.close();
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
