import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';

/**
 * `npm run demo` reseeds moto on every start: new users, new devices, new key ids. The portal's database must start
 * fresh with it, or the previous session's inventory, program changes and audit rows would describe an organisation
 * that no longer exists. Only the demo's embedded database (PGlite) is emptied; a PostgreSQL database is never
 * wiped by a demo, so one is refused.
 *
 * Returns the line the demo prints.
 */
export async function prepareDemoDatabase(databaseUrl: string, repoRoot: string): Promise<string> {
  if (!databaseUrl.startsWith('pglite:')) {
    throw new Error(
      'npm run demo starts the portal with a fresh database each time (moto is reseeded) and will not wipe a PostgreSQL database: unset DATABASE_URL (the demo uses pglite:.data/pglite) or set it to pglite:<directory>.',
    );
  }
  // The portal resolves a relative directory against its working directory, which the demo sets to the repository.
  const dir = resolve(repoRoot, databaseUrl.slice('pglite:'.length));
  if (dir === resolve(repoRoot) || dir === resolve('/')) throw new Error(`DATABASE_URL=${databaseUrl} names the repository or the root, not a database directory.`);
  const existed = existsSync(dir);
  await rm(dir, { recursive: true, force: true });
  const shown = dir.startsWith(resolve(repoRoot) + sep) ? relative(repoRoot, dir) : dir;
  return existed
    ? `Demo database: started fresh in ${shown} (moto is reseeded on every start, so the previous session's inventory, program changes and audit log were removed).`
    : `Demo database: started fresh in ${shown}.`;
}
