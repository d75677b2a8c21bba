import type { NextRequest } from 'next/server';
import { authorizeRequest } from '@/lib/auth/session';
import { exportAuditEntries } from '@/lib/audit/query';
import { parseAuditFilters, withoutPaging } from '@/lib/audit/filters';
import { csvField } from '@/lib/inventory/export';
import type { AuditEntry } from '@/lib/db/schema';

export const dynamic = 'force-dynamic';

const COLUMNS = ['id', 'at', 'actor', 'action', 'target', 'outcome', 'detail_json'] as const;

const toCsvLine = (e: AuditEntry) =>
  [String(e.id), e.at.toISOString(), e.actor, e.action, e.target ?? '', e.outcome, JSON.stringify(e.detail)].map(csvField).join(',');

/** The audit log (or the filtered part), newest first, streamed as CSV. Admins only; the export is itself audited. */
export async function GET(request: NextRequest) {
  const auth = await authorizeRequest(request, 'admin');
  if (auth.response) return auth.response;
  const filters = withoutPaging(parseAuditFilters(Object.fromEntries(request.nextUrl.searchParams.entries())));

  const encoder = new TextEncoder();
  const batches = await exportAuditEntries(auth.actor, filters, 'csv');
  // pull, not a loop in start(): the next batch is read only when the client has taken the last one,
  // and a cancelled download stops the reads.
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${COLUMNS.join(',')}\r\n`));
    },
    async pull(controller) {
      const next = await batches.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value.map((r) => `${toCsvLine(r)}\r\n`).join('')));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new Response(stream, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="mfa-portal-audit-${stamp}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
