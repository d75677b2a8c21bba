/**
 * `npm run audit:verify`: checks the audit log's hash chain in the configured database (DATABASE_URL through
 * lib/env.ts). Exit 0 and the chain's head when intact; exit 1 naming the first broken row; exit 2 when the
 * database cannot be read.
 */
import { getEnv } from '@/lib/env';
import { openDatabase } from '@/lib/db/client';
import { describeBreak } from '@/lib/audit/chain';
import { verifyAuditChain } from '@/lib/audit/verify';

async function main(): Promise<number> {
  let database;
  try {
    database = await openDatabase(getEnv().DATABASE_URL);
  } catch (error) {
    console.error(`audit:verify: cannot open the database: ${(error as Error).message}`);
    return 2;
  }
  try {
    const result = await verifyAuditChain(database.db);
    if (result.ok) {
      console.log(`audit log intact: ${result.rows} rows chained.`);
      if (result.head) console.log(`head: seq ${result.head.seq} hash ${result.head.hash}`);
      return 0;
    }
    console.error(`audit log BROKEN after ${result.rows} intact rows: ${describeBreak(result.broken)}`);
    console.error(`expected ${result.broken.expected}, found ${result.broken.found}`);
    return 1;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`audit:verify failed: ${(error as Error).message}`);
    process.exit(2);
  },
);
