import { timingSafeEqual } from 'node:crypto';
import { NextResponse, type NextRequest } from 'next/server';
import { getEnv } from '@/lib/env';
import { authorizeRequest } from '@/lib/auth/session';
import { sweepLeftovers } from '@/lib/enrollment/leftovers';
import { recordAudit } from '@/lib/audit/log';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

function bearerMatches(request: NextRequest, secret: string | undefined): boolean {
  const given = request.headers.get('authorization')?.match(/^Bearer (.+)$/)?.[1];
  if (!secret || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Scheduled clean-up of abandoned enrollments: the scheduler's bearer token, or an admin's session. */
export async function POST(request: NextRequest) {
  let actor = 'scheduler';
  if (!bearerMatches(request, getEnv().MFA_CRON_SECRET)) {
    const auth = await authorizeRequest(request, 'admin');
    if (auth.response) return auth.response;
    actor = auth.actor.id;
  }
  const results = await sweepLeftovers(actor);
  await recordAudit(await getDb(), { actor, action: 'enrollment.sweep', outcome: 'success', detail: { results } });
  return NextResponse.json({ results }, { headers: { 'Cache-Control': 'no-store' } });
}
