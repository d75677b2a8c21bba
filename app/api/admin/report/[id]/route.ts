import { NextResponse, type NextRequest } from 'next/server';
import { authorizeRequest } from '@/lib/auth/session';
import { getValidationReport, reportToCsv } from '@/lib/inventory/report';
import { csvField } from '@/lib/inventory/export';

export const dynamic = 'force-dynamic';

/** A stored validation report as CSV or JSON. Admins only. */
export async function GET(request: NextRequest, context: { params: Promise<{ id: string }> }) {
  const auth = await authorizeRequest(request, 'admin');
  if (auth.response) return auth.response;
  const id = Number((await context.params).id);
  if (!Number.isInteger(id) || id <= 0) return NextResponse.json({ error: 'Not a report id' }, { status: 400 });
  const report = await getValidationReport(auth.actor, id);
  if (!report) return NextResponse.json({ error: 'No such report' }, { status: 404 });
  const csv = request.nextUrl.searchParams.get('format') === 'csv';
  return new Response(csv ? reportToCsv(report, csvField) : JSON.stringify(report, null, 2), {
    headers: {
      'Content-Type': csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="mfa-validation-report-${id}.${csv ? 'csv' : 'json'}"`,
      'Cache-Control': 'no-store',
    },
  });
}
