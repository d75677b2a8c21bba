import { NextResponse, type NextRequest } from 'next/server';
import { authorizeRequest } from '@/lib/auth/session';
import { getValidationReport, reportToCsv } from '@/lib/inventory/report';
import { reportToCsvZip, reportToXlsx } from '@/lib/inventory/report-export';
import { recordAudit } from '@/lib/audit/log';
import { getDb } from '@/lib/db/client';
import { parseDbId } from '@/lib/actions/params';
import type { ValidationReport } from '@/lib/inventory/report-model';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

const FORMATS = {
  json: { type: 'application/json; charset=utf-8', ext: 'json', body: (r: ValidationReport) => JSON.stringify(r, null, 2) },
  csv: { type: 'text/csv; charset=utf-8', ext: 'csv', body: (r: ValidationReport) => reportToCsv(r) },
  xlsx: { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx', body: (r: ValidationReport) => reportToXlsx(r) },
  zip: { type: 'application/zip', ext: 'csv.zip', body: (r: ValidationReport) => reportToCsvZip(r) },
} as const;
type Format = keyof typeof FORMATS;

const isFormat = (v: string): v is Format => Object.hasOwn(FORMATS, v);

/**
 * A stored validation report as JSON (default), one CSV, a workbook (one sheet per section) or a zip of one CSV per
 * section. Admins only; each download is audited.
 */
async function handleGet(request: NextRequest, context: { params: Promise<{ id: string }> }) {
  const auth = await authorizeRequest(request, 'admin');
  if (auth.response) return auth.response;
  const id = parseDbId((await context.params).id);
  if (id === null) return NextResponse.json({ error: 'Not a report id' }, { status: 400 });
  const requested = request.nextUrl.searchParams.get('format') ?? 'json';
  if (!isFormat(requested)) return NextResponse.json({ error: `Unknown format: use one of ${Object.keys(FORMATS).join(', ')}` }, { status: 400 });
  const report = await getValidationReport(auth.actor, id);
  if (!report) return NextResponse.json({ error: 'No such report' }, { status: 404 });
  const format = FORMATS[requested];
  const body = await format.body(report);
  await recordAudit(await getDb(), { actor: auth.actor.id, action: 'report.export', target: `report:${id}`, outcome: 'success', detail: { reportId: id, format: requested } });
  return new Response(body as BodyInit, {
    headers: {
      'Content-Type': format.type,
      'Content-Disposition': `attachment; filename="mfa-validation-report-${id}.${format.ext}"`,
      'Cache-Control': 'no-store',
    },
  });
}

export const GET = withRequestLog(handleGet);
