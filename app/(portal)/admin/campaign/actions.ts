'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { fail, ok } from '@/lib/actions/result';
import { previewDigest, sendDigestNow, type DigestPreview, type DigestRunSummary } from '@/lib/campaign/digest';

const channelText = (s: DigestRunSummary) =>
  s.channels.map((c) => `${c.channel === 'email' ? 'email' : 'webhook'}: ${c.outcome === 'sent' ? 'sent' : `not sent (${c.error ?? 'already sent'})`}`).join('; ');

export const previewDigestAction = defineAction({ name: 'campaign.digest.preview', role: 'security', schema: z.object({}) }, async (actor) => ok<DigestPreview>(await previewDigest(actor)));

export const sendDigestNowAction = defineAction({ name: 'campaign.digest.send-now', role: 'security', schema: z.object({}), revalidate: '/admin/campaign' }, async (actor) => {
  const summary = await sendDigestNow(actor);
  if (summary.off) return fail('DigestOff', 'The digest has no channel: set MFA_DIGEST_EMAIL (with MFA_REMINDER_EMAIL_FROM) and/or MFA_DIGEST_WEBHOOK_URL.');
  if (!summary.channels.some((c) => c.outcome === 'sent')) return fail('SendFailed', `The digest did not go out. ${channelText(summary)}.`);
  return ok<DigestRunSummary>(summary, `Digest sent (${channelText(summary)}).`);
});
