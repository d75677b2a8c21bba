import 'server-only';
import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { programUsers } from '@/lib/db/schema';
import type { CoverageRow } from './metrics';

/** Per account in the stored inventory: users in scope of the program, and of those the compliant ones. */
export async function readCoverage(db: Db): Promise<CoverageRow[]> {
  const p = programUsers;
  const rows = await db
    .select({
      accountId: p.accountId,
      inScope: sql<number>`count(*) filter (where ${p.inScope})`,
      compliant: sql<number>`count(*) filter (where ${p.inScope} and ${p.compliant})`,
    })
    .from(p)
    .groupBy(p.accountId)
    .orderBy(p.accountId);
  return rows.map((r) => ({ accountId: r.accountId, inScope: Number(r.inScope), compliant: Number(r.compliant) }));
}
