import { NextResponse, type NextRequest } from 'next/server';
import { bearerMatches } from '@/lib/auth/scheduler';
import { getDb } from '@/lib/db/client';
import { getEnv } from '@/lib/env';
import { readCoverage } from '@/lib/ops/coverage';
import { metrics, renderMetrics } from '@/lib/ops/metrics';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

/**
 * Prometheus metrics (lib/ops/metrics.ts), for a scraper holding MFA_METRICS_TOKEN only: the series name accounts
 * and their coverage. Without the setting the route does not exist; a session cookie is never enough.
 */
async function handleGet(request: NextRequest) {
  const token = getEnv().MFA_METRICS_TOKEN;
  if (!token) return NextResponse.json({ error: 'Not found' }, { status: 404, headers: { 'Cache-Control': 'no-store' } });
  if (!bearerMatches(request, token)) {
    return NextResponse.json(
      { error: 'Send Authorization: Bearer <MFA_METRICS_TOKEN>' },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer', 'Cache-Control': 'no-store' } },
    );
  }
  metrics().setCoverageSource(async () => readCoverage(await getDb()));
  const { body, contentType } = await renderMetrics();
  return new NextResponse(body, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
}

export const GET = withRequestLog(handleGet);
