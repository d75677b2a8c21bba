import type { NextRequest } from 'next/server';
import { authorizeRequest } from '@/lib/auth/session';
import { exportInventoryUsers } from '@/lib/inventory/queries';
import { parseUserFilters } from '@/lib/inventory/user-filters';
import { csvHeader, toCsvLine, toJsonRecord } from '@/lib/inventory/export';

export const dynamic = 'force-dynamic';

/** The full structured inventory (or the filtered part), streamed as CSV or JSON. Admins only. */
export async function GET(request: NextRequest) {
  const auth = await authorizeRequest(request, 'admin');
  if (auth.response) return auth.response;
  const params = Object.fromEntries(request.nextUrl.searchParams.entries());
  const format = params.format === 'json' ? 'json' : 'csv';
  const filters = parseUserFilters(params);

  const encoder = new TextEncoder();
  const batches = await exportInventoryUsers(auth.actor, filters, format);
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        let written = 0;
        controller.enqueue(encoder.encode(format === 'csv' ? `${csvHeader()}\r\n` : '[\n'));
        for await (const rows of batches) {
          const lines = rows.map((r) => (format === 'csv' ? `${toCsvLine(r)}\r\n` : `${written++ ? ',\n' : ''}${JSON.stringify(toJsonRecord(r))}`));
          controller.enqueue(encoder.encode(lines.join('')));
        }
        if (format === 'json') controller.enqueue(encoder.encode('\n]\n'));
        controller.close();
      } catch (error) {
        controller.error(error);
      }
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new Response(stream, {
    headers: {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="mfa-inventory-${stamp}.${format}"`,
      'Cache-Control': 'no-store',
    },
  });
}
