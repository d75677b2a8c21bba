import type { NextRequest } from 'next/server';
import { authorizeRequest } from '@/lib/auth/session';
import { exportCampaign } from '@/lib/campaign/campaign';
import { campaignCsv, campaignJson } from '@/lib/campaign/export';
import { withRequestLog } from '@/lib/log/request';

export const dynamic = 'force-dynamic';

/** The campaign page's figures and "done nothing yet" lists, as CSV or JSON. Admins only; audited as campaign.export. */
async function handleGet(request: NextRequest) {
  const auth = await authorizeRequest(request, 'admin');
  if (auth.response) return auth.response;
  const format = request.nextUrl.searchParams.get('format') === 'json' ? 'json' : 'csv';
  const campaign = await exportCampaign(auth.actor, format);
  const body = format === 'csv' ? campaignCsv(campaign) : JSON.stringify(campaignJson(campaign), null, 2);
  const stamp = campaign.generatedAt.toISOString().replace(/[:.]/g, '-');
  return new Response(body, {
    headers: {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="mfa-campaign-${stamp}.${format}"`,
      'Cache-Control': 'no-store',
    },
  });
}

export const GET = withRequestLog(handleGet);
