import type { NextRequest } from 'next/server';
import { authorizeRequest } from '@/lib/auth/session';
import { exportAuditEntries } from '@/lib/audit/query';
import { parseAuditFilters, withoutPaging } from '@/lib/audit/filters';
import { csvLine } from '@/lib/csv';
import { batchStream } from '@/lib/batch-stream';
import type { AuditEntry } from '@/lib/db/schema';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

const COLUMNS = ['id', 'at', 'actor', 'action', 'target', 'outcome', 'detail_json'] as const;

const toCsvLine = (e: AuditEntry) => csvLine([String(e.id), e.at.toISOString(), e.actor, e.action, e.target ?? '', e.outcome, JSON.stringify(e.detail)]);

/** The audit log (or the filtered part), newest first, streamed as CSV. Admins only; the export is itself audited. */
async function handleGet(request: NextRequest) {
  const auth = await authorizeRequest(request, 'admin');
  if (auth.response) return auth.response;
  const filters = withoutPaging(parseAuditFilters(Object.fromEntries(request.nextUrl.searchParams.entries())));

  // Read on demand: the next batch only when the client has taken the last one; a cancelled download stops the reads.
  const stream = batchStream(await exportAuditEntries(auth.actor, filters, 'csv'), { head: `${csvLine(COLUMNS)}\r\n`, row: (e) => `${toCsvLine(e)}\r\n` });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new Response(stream, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="mfa-portal-audit-${stamp}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}

export const GET = withRequestLog(handleGet);
