/** The campaign for the pages and the exports: admins only; what an export hands out is audited. */
import 'server-only';
import { getDb } from '@/lib/db/client';
import { getEnv } from '@/lib/env';
import { listManagedAccounts } from '@/lib/accounts/registry';
import { recordAudit } from '@/lib/audit/log';
import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { readCampaign, type Campaign } from './read-model';

/** How many of each cohort's "done nothing yet" users the page lists (the count is always the full one). */
export const PAGE_IDLE_LIMIT = 100;
/** An export lists up to this many per cohort. */
export const EXPORT_IDLE_LIMIT = 10_000;

export async function getCampaign(actor: Actor, idleLimit = PAGE_IDLE_LIMIT): Promise<Campaign> {
  assertRole(actor.roles, 'admin', 'the campaign');
  return readCampaign(await getDb(), { idleLimit, emailTagKey: getEnv().MFA_EMAIL_TAG_KEY, accounts: await listManagedAccounts() });
}

/** The export's figures; the export (format, cohorts, people listed) is audited before it is handed out. */
export async function exportCampaign(actor: Actor, format: 'csv' | 'json'): Promise<Campaign> {
  const campaign = await getCampaign(actor, EXPORT_IDLE_LIMIT);
  await recordAudit(await getDb(), {
    actor: actor.id,
    action: 'campaign.export',
    outcome: 'success',
    detail: { format, cohorts: campaign.cohorts.length, idleListed: campaign.cohorts.reduce((s, c) => s + c.idle.length, 0) },
  });
  return campaign;
}
