import { NextResponse } from 'next/server';

export const dynamic = 'force-dynamic';

/**
 * Liveness: the process answers HTTP. No database call, so a database outage does not get healthy instances killed.
 * Not logged (no withRequestLog): load balancers and the container's HEALTHCHECK ask every few seconds.
 */
export function GET() {
  return NextResponse.json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } });
}
