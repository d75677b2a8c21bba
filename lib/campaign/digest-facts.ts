/** What the weekly digest says, read from the program's per-user verdicts, the campaign and the request tables. */
import 'server-only';
import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { getEnv } from '@/lib/env';
import { DAY_MS } from './projection';
import { ENDING_WITHIN_DAYS, type DigestFacts } from './digest-model';
import { readCampaign } from './read-model';
import { requestTables, requestTotals } from './requests';

const rowsOf = <T>(result: unknown): T[] => (result as { rows?: T[] }).rows ?? (result as T[]);

export async function readDigestFacts(db: Db, now: Date): Promise<Omit<DigestFacts, 'week' | 'portalUrl' | 'previous'>> {
  const tables = await requestTables(db);
  const until = new Date(now.getTime() + ENDING_WITHIN_DAYS * DAY_MS);
  const [campaign, gapRows, endingRows, pending] = await Promise.all([
    readCampaign(db, { now, idleLimit: 0, emailTagKey: getEnv().MFA_EMAIL_TAG_KEY, accounts: [], requestTables: tables }),
    // The gaps as the dashboard counts them: in scope and not compliant.
    db.execute(sql`SELECT f.account_id, f.user_name, c.cohort FROM program_user_verdicts f LEFT JOIN program_categories c ON c.id = f.category_id
      WHERE f.in_scope AND NOT f.compliant ORDER BY f.account_id, f.user_name`),
    // Exceptions in force (a console user's) whose end falls within the window.
    db.execute(sql`SELECT f.account_id, f.user_name, c.name AS category, f.expires_at FROM program_user_verdicts f LEFT JOIN program_categories c ON c.id = f.category_id
      WHERE f.console_access AND f.decision = 'exception' AND f.expires_at > ${now.toISOString()}::timestamptz AND f.expires_at <= ${until.toISOString()}::timestamptz
      ORDER BY f.expires_at, f.account_id, f.user_name`),
    requestTotals(db, tables),
  ]);
  return {
    generatedAt: now,
    cohorts: campaign.cohorts.map((c) => ({ cohort: c.cohort, deadline: c.deadline, inScope: c.inScope, enrolled: c.enrolled, remaining: c.remaining, projectionText: c.projectionText })),
    gaps: rowsOf<{ account_id: string; user_name: string; cohort: string | null }>(gapRows).map((r) => ({ accountId: r.account_id, userName: r.user_name, cohort: r.cohort })),
    endingExceptions: rowsOf<{ account_id: string; user_name: string; category: string | null; expires_at: Date | string }>(endingRows).map((r) => ({
      accountId: r.account_id,
      userName: r.user_name,
      category: r.category,
      expiresAt: new Date(r.expires_at),
    })),
    pending,
  };
}
