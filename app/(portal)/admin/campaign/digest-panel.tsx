import type { Actor } from '@/lib/auth/types';
import { getDigestSetup } from '@/lib/campaign/digest';
import { formatDateTimeUtc } from '@/lib/format';
import { Alert } from '@/components/ui/alert';
import { CardSection } from '@/components/ui/card';
import { DigestForms } from './digest-forms';

/** The security team's weekly digest: where it goes, when it last went, a preview and a send-now. */
export async function DigestPanel({ actor }: { actor: Actor }) {
  const setup = await getDigestSetup(actor);
  return (
    <CardSection id="digest-heading" title="Weekly digest for the security team">
      <p className="mt-1 text-sm text-slate-700">
        Burndown per cohort, new gaps since last week, exceptions ending in the next 14 days and pending requests; sent once per ISO week when the scheduler calls POST
        /api/cron/campaign-digest.
      </p>
      {setup.channels.length === 0 ? (
        <div className="mt-3">
          <Alert tone="warning" title="The digest has no channel">
            Set <code>MFA_DIGEST_EMAIL</code> (sent from <code>MFA_REMINDER_EMAIL_FROM</code>) and/or <code>MFA_DIGEST_WEBHOOK_URL</code>, then restart the portal.
          </Alert>
        </div>
      ) : (
        <ul className="mt-3 list-disc space-y-1 pl-5 text-sm" data-testid="digest-channels">
          {setup.channels.map((c) => (
            <li key={c.channel} className="break-all">
              {c.channel === 'email' ? `Email to ${c.recipient}` : `Webhook to ${c.recipient} (the rest of the URL is a secret and not shown)`}
            </li>
          ))}
        </ul>
      )}
      <p className="mt-2 text-sm" data-testid="digest-last">
        {setup.lastWeekly.length === 0
          ? 'No weekly digest has been sent yet.'
          : `Last weekly digest: ${setup.lastWeekly
              .filter((r) => r.slot === setup.lastWeekly[0]!.slot)
              .map((r) => `${r.slot} by ${r.channel}, ${r.status} (${formatDateTimeUtc(r.at)})`)
              .join('; ')}.`}
      </p>
      <div className="mt-3">
        <DigestForms canSend={setup.channels.length > 0} />
      </div>
    </CardSection>
  );
}
