import type { NextRequest } from 'next/server';
import { authorizeRequest } from '@/lib/auth/session';
import { exportInventoryUsers } from '@/lib/inventory/queries';
import { parseUserFilters } from '@/lib/inventory/user-filters';
import { inventoryExportStream } from '@/lib/inventory/export';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

/** The full structured inventory (or the filtered part), streamed as CSV or JSON. Admins only. */
async function handleGet(request: NextRequest) {
  const auth = await authorizeRequest(request, 'admin');
  if (auth.response) return auth.response;
  const params = Object.fromEntries(request.nextUrl.searchParams.entries());
  const format = params.format === 'json' ? 'json' : 'csv';
  const filters = parseUserFilters(params);

  // Read on demand: the next page only when the client has taken the last one; a cancelled download stops the reads.
  const stream = inventoryExportStream(await exportInventoryUsers(auth.actor, filters, format), format);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new Response(stream, {
    headers: {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="mfa-inventory-${stamp}.${format}"`,
      'Cache-Control': 'no-store',
    },
  });
}

export const GET = withRequestLog(handleGet);
