import type { DeniedUser } from '@/lib/enforcement/impact';
import { EXEMPT_TAG } from '@/lib/enforcement/policy';
import type { Preview } from '@/lib/enforcement/preview';
import { IMPACT_ROWS, impactView, type AccountLabels, type ImpactGroup } from '@/lib/enforcement/view-model';
import { formatDateTimeUtc, plural } from '@/lib/format';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { SectionCard } from './section-card';
import { UserLink } from './user-link';

/** One date and cohort of the impact: the users, each linked, with what sets them apart. */
function ImpactGroupList({ g, kind, labels, now }: { g: ImpactGroup; kind: DeniedUser['denied']; labels: AccountLabels; now: Date }) {
  const id = `impact-${kind}-${g.from.getTime()}-${g.cohort}`;
  const more = g.users.length - IMPACT_ROWS;
  const testId = kind === 'everything' ? 'impact' : 'impact-keys';
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 p-3" data-testid={`${testId}-group`} data-cohort={g.cohort}>
      <h3 id={id} className="font-semibold">
        {kind === 'everything' ? 'From' : 'Access-key calls need an MFA session from'} {formatDateTimeUtc(g.from)} · cohort <span className="font-mono">{g.cohort}</span> ·{' '}
        {plural(g.users.length, 'user')}
        {g.from <= now && (
          <span className="ml-2 align-middle">
            <Badge tone="bad">deadline passed: denied once deployed</Badge>
          </span>
        )}
      </h3>
      <ul className="mt-2 grid gap-1 text-sm sm:grid-cols-2">
        {g.users.slice(0, IMPACT_ROWS).map((u) => (
          <li key={`${u.accountId}/${u.userName}`} data-testid={`${testId}-user`} data-user={u.userName}>
            <UserLink user={u} labels={labels} className="font-mono break-all underline" />
            {!u.consoleAccess && <span className="text-slate-600"> · access keys only</span>}
            {u.activeException && (
              <span className="ml-1">
                <Badge tone="bad">approved exception</Badge>
              </span>
            )}
            {u.outOfScope && (
              <span className="ml-1">
                <Badge tone="neutral">out of scope</Badge>
              </span>
            )}
          </li>
        ))}
      </ul>
      {more > 0 && <p className="mt-1 text-sm text-slate-700">and {plural(more, 'more user')}</p>}
    </section>
  );
}

function Warnings({ exceptions, outOfScope }: { exceptions: number; outOfScope: number }) {
  return (
    <>
      {(exceptions > 0 || outOfScope > 0) && (
        <p className="font-medium">
          {exceptions > 0 && <span className="text-red-800">{plural(exceptions, 'user')} below {exceptions === 1 ? 'has' : 'have'} an approved exception.</span>}
          {outOfScope > 0 && <span> {plural(outOfScope, 'user')} below {outOfScope === 1 ? 'is' : 'are'} out of scope of the program.</span>}
        </p>
      )}
      {exceptions > 0 && (
        <Alert tone="error" title="Approved exceptions would be denied">
          Their tags do not say <span className="font-mono">{EXEMPT_TAG}=true</span> yet: apply the tag reconciliation above. Deploying is blocked until then.
        </Alert>
      )}
      {outOfScope > 0 && (
        <Alert tone="warning" title="Users out of scope would be denied">
          The program does not require MFA of them, but the policy applies to everyone in the enforced groups who has a cohort. Take them out of the group, or record an approved
          exception so the tags exempt them.
        </Alert>
      )}
    </>
  );
}

/** Who the policy would deny, from when: users without MFA (everything), and users with MFA whose access keys are in use. */
export async function Impact({ preview, labels, now }: { preview: Promise<Preview>; labels: AccountLabels; now: Date }) {
  const p = await preview;
  const v = impactView(p.denied, p.unknownAccounts);
  return (
    <SectionCard id="impact-heading" title="Impact" className="space-y-3">
      <p className="text-sm text-slate-700">
        Who this policy would deny, and from when, according to the stored inventory and the users’ current tags. Not affected: users tagged{' '}
        <span className="font-mono">{EXEMPT_TAG}=true</span>, users outside the enforced groups, and users with an MFA device who sign in to the console with it. Users without an
        MFA device are denied everything but signing in, changing their password and setting up MFA.
      </p>
      {v.unknownAccounts.length > 0 && (
        <Alert tone="warning" title={`Users of ${plural(v.unknownAccounts.length, 'account')} unknown`}>
          <span data-testid="impact-unknown-accounts">
            {v.unknownAccounts.map((a) => `${a.label} (${a.accountId})`).join(', ')} could not be read (the member role could not be assumed, or AWS refused the read): whom the
            policy would deny there is unknown, and not counted below.
          </span>
        </Alert>
      )}
      {v.nobodyDenied ? (
        <p className="font-medium text-emerald-800" data-testid="impact-empty">
          Nobody is denied everything: every user in the enforced groups has an MFA device, is exempt, or has no cohort.
        </p>
      ) : (
        <p className="font-medium" data-testid="impact-count">
          {plural(v.deniedEverything, 'user')} without an MFA device {v.unknownAccounts.length > 0 ? 'in the accounts read ' : ''}would be denied everything but MFA self-service.
        </p>
      )}
      <Warnings exceptions={v.exceptions} outOfScope={v.outOfScope} />
      {v.everything.map((g) => (
        <ImpactGroupList key={`${g.from.getTime()}-${g.cohort}`} g={g} kind="everything" labels={labels} now={now} />
      ))}

      <section aria-labelledby="impact-keys-heading" className="space-y-3 border-t border-slate-200 pt-3">
        <h3 id="impact-keys-heading" className="text-lg font-semibold">
          Access-key calls need an MFA session
        </h3>
        <p className="text-sm text-slate-700">
          Users with an MFA device whose access keys are in use. Calls signed with long-term access keys carry no MFA, so from their cohort’s deadline the policy denies them too:
          each must call <span className="font-mono">sts:GetSessionToken</span> with their MFA device and use the session it returns (scripts and CI jobs that use the keys
          directly stop working). The inventory records when a key was last used, not whether one is still active, so this lists users whose keys have ever been used; a key
          never used yet is not listed.
        </p>
        {v.deniedKeys === 0 ? (
          <p className="font-medium text-emerald-800" data-testid="impact-keys-empty">
            Nobody: no user with an MFA device in the enforced groups has used an access key.
          </p>
        ) : (
          <p className="font-medium" data-testid="impact-keys-count">
            {plural(v.deniedKeys, 'user')} with MFA would need an MFA session for access-key calls.
          </p>
        )}
        {v.keys.map((g) => (
          <ImpactGroupList key={`${g.from.getTime()}-${g.cohort}`} g={g} kind="access-keys" labels={labels} now={now} />
        ))}
      </section>
    </SectionCard>
  );
}
