import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { managedAccountIds } from '@/lib/accounts/registry';
import { checkReadiness, type Readiness } from '@/lib/ops/readiness';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

/** A database that does not answer within this long counts as unreachable: a probe must not hang. */
const PROBE_TIMEOUT_MS = 5000;

/**
 * Readiness, for load balancers and orchestrators: 200 when the database answers and is migrated, else 503.
 * Unauthenticated, so it answers counts and fixed words only (lib/ops/readiness.ts).
 */
async function handleGet() {
  const timedOut: Readiness = { ready: false, database: 'unreachable', accounts: { total: 0, reachable: 0, unreachable: 0, unchecked: 0 } };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([
    checkReadiness(getDb, managedAccountIds),
    new Promise<Readiness>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), PROBE_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  const { ready, ...body } = result;
  return NextResponse.json({ status: ready ? 'ready' : 'unavailable', ...body }, { status: ready ? 200 : 503, headers: { 'Cache-Control': 'no-store' } });
}

export const GET = withRequestLog(handleGet);
