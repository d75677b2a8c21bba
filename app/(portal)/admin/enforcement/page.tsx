import Link from 'next/link';
import { Suspense } from 'react';
import { requireRole } from '@/lib/auth/session';
import { getEnv } from '@/lib/env';
import { MAX_POLICY_VERSIONS, previewEnforcement, type Preview } from '@/lib/enforcement/deploy';
import { getTagDrift, type DriftReport } from '@/lib/enforcement/tags';
import type { DeniedUser } from '@/lib/enforcement/impact';
import { COHORT_TAG, EXEMPT_TAG, POLICY_MAX_CHARS } from '@/lib/enforcement/policy';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Loading } from '@/components/ui/skeleton';
import { TableHead } from '@/components/ui/table-head';
import { ApplyTags } from '@/components/enforcement/apply-tags';
import { DefaultCohortForm } from '@/components/enforcement/default-cohort-form';
import { DeployPanel, type PendingAccount } from '@/components/enforcement/deploy-panel';
import { diffCounts } from '@/components/enforcement/diff-hunks';
import { DiffView } from '@/components/enforcement/diff-view';
import { PolicyVersions } from '@/components/enforcement/policy-versions';

export const metadata = { title: 'Enforcement' };
export const dynamic = 'force-dynamic';

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const utc = (d: Date) => `${when.format(d)} UTC`;
const number = new Intl.NumberFormat('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${number.format(n)} ${n === 1 ? one : many}`;
const userHref = (u: { accountId: string; userName: string }) => `/admin/users/${u.accountId}/${encodeURIComponent(u.userName)}`;

/** Rows of the drift report and of each impact group shown before "and N more". */
const DRIFT_ROWS = 200;
const IMPACT_ROWS = 50;

type Account = Preview['accounts'][number];
type Labels = Map<string, string>;

// No loading.tsx: the 403 must be decided before any HTML streams (see app/(portal)/layout.tsx). The sections
// stream in <Suspense> instead; four of them share one preview (one read of each account's policy).
export default async function EnforcementPage() {
  const actor = await requireRole('security');
  const preview = previewEnforcement(actor);
  const drift = getTagDrift(actor);
  const labels: Labels = new Map(getEnv().MFA_ACCOUNTS.map((a) => [a.id, a.label]));
  const now = new Date();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">Enforcement</h1>
        <p className="mt-1 text-slate-700">
          The deny-unless-MFA policy the program generates: from each cohort’s deadline it denies IAM users in the enforced groups everything but MFA self-service until they use
          MFA. Review the tags, the impact and the diff, then deploy it to every account. Every change is recorded in the{' '}
          <Link className="underline" href="/admin/audit?action=enforcement.*">
            audit log
          </Link>
          .
        </p>
      </div>
      <Suspense fallback={<Loading label="Reading the enforcement policy in each account…" className="h-72" />}>
        <Status preview={preview} now={now} />
      </Suspense>
      <Suspense fallback={<Loading label="Comparing the users’ tags with the program…" className="h-40" />}>
        <TagReconciliation drift={drift} labels={labels} />
      </Suspense>
      <Suspense fallback={<Loading label="Working out who the policy would deny…" className="h-48" />}>
        <Impact preview={preview} labels={labels} now={now} />
      </Suspense>
      <Suspense fallback={<Loading label="Comparing the policy with each account…" className="h-96" />}>
        <PolicyAndDiff preview={preview} />
      </Suspense>
      <Suspense fallback={<Loading label="Preparing the deploy…" className="h-32" />}>
        <Deploy preview={preview} />
      </Suspense>
    </div>
  );
}


/** A box that scrolls sideways on a phone instead of widening the page; focusable so keyboards can scroll it. */
function Scroll({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-200" tabIndex={0} role="region" aria-label={`${label} (scrolls sideways)`}>
      {children}
    </div>
  );
}

async function Status({ preview, now }: { preview: Promise<Preview>; now: Date }) {
  const p = await preview;
  const { program, size } = p.generated;
  const deniedPerCohort = new Map<string, { everything: number; keys: number }>();
  for (const d of p.denied) {
    const n = deniedPerCohort.get(d.cohort) ?? { everything: 0, keys: 0 };
    if (d.denied === 'everything') n.everything++;
    else n.keys++;
    deniedPerCohort.set(d.cohort, n);
  }
  const cohorts = [...program.cohorts].sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || a.cohort.localeCompare(b.cohort));
  return (
    <Card aria-labelledby="status-heading" className="space-y-4">
      <h2 id="status-heading" className="text-xl font-semibold">
        Status
      </h2>
      {p.blockers.length > 0 ? (
        <Alert tone="error" title="Deploying is blocked">
          <ul className="list-inside list-disc space-y-1" data-testid="blockers">
            {p.blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </Alert>
      ) : (
        <p className="text-sm" data-testid="no-blockers">
          Nothing blocks a deploy. Review the tags, the impact and each account’s diff below, then{' '}
          <a className="underline" href="#deploy-heading">
            deploy
          </a>
          .
        </p>
      )}
      <dl className="grid gap-3 sm:grid-cols-3">
        <div className="rounded-lg border border-slate-200 p-3">
          <dt className="text-sm text-slate-700">Policy size</dt>
          <dd className={`font-semibold ${size.ok ? '' : 'text-red-800'}`} data-testid="policy-size">
            {number.format(size.chars)} of {number.format(POLICY_MAX_CHARS)} characters
          </dd>
          <dd className="text-xs text-slate-600">IAM’s limit for a managed policy, whitespace not counted.</dd>
        </div>
        <div className="rounded-lg border border-slate-200 p-3">
          <dt className="text-sm text-slate-700">Managed policy</dt>
          <dd className="font-mono font-semibold break-all">
            {program.policyPath}
            {program.policyName}
          </dd>
          <dd className="text-xs text-slate-600">The same name in every account.</dd>
        </div>
        <div className="rounded-lg border border-slate-200 p-3">
          <dt className="text-sm text-slate-700">Enforced groups</dt>
          <dd className="font-mono font-semibold break-all" data-testid="enforced-groups">
            {program.groups.join(', ')}
          </dd>
          <dd className="text-xs text-slate-600">From the portal’s configuration (MFA_ENFORCEMENT_GROUPS). Only their members are ever denied.</dd>
        </div>
      </dl>

      <section aria-labelledby="cohorts-heading" className="space-y-2">
        <h3 id="cohorts-heading" className="font-semibold">
          Cohorts and deadlines
        </h3>
        {cohorts.length === 0 ? (
          <p className="text-sm" data-testid="no-cohorts">
            No categories yet, so no cohorts: the policy denies nobody and only stops users from changing their own mfa-* tags.{' '}
            <Link className="underline" href="/admin/program">
              Define the program
            </Link>{' '}
            first.
          </p>
        ) : (
          <Scroll label="Cohorts and deadlines">
            <table className="w-full min-w-[420px] text-left text-sm" data-testid="cohorts">
              <caption className="sr-only">Each cohort of the program and its deadline</caption>
              <TableHead className="bg-slate-50 text-slate-600 [&_th:first-child]:pl-2" columns={['Cohort', 'Deadline (UTC)', 'Would deny', 'Access-key calls need an MFA session']} />
              <tbody>
                {cohorts.map((c) => (
                  <tr key={c.cohort} className="border-t border-slate-100 align-top" data-cohort={c.cohort}>
                    <td className="py-2 pr-3 pl-2 font-mono">
                      {c.cohort} {c.cohort === program.defaultCohort && <Badge tone="info">default</Badge>}
                    </td>
                    <td className="py-2 pr-3 whitespace-nowrap">
                      {when.format(c.deadline)}
                      {c.deadline <= now && <span className="block text-xs text-red-800">passed: in force once deployed</span>}
                    </td>
                    <td className="py-2 pr-3">{plural(deniedPerCohort.get(c.cohort)?.everything ?? 0, 'user')}</td>
                    <td className="py-2 pr-3">{plural(deniedPerCohort.get(c.cohort)?.keys ?? 0, 'user')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        )}
        <p className="text-sm text-slate-700">
          Categories sharing a cohort share its deadline. The policy matches a user’s <span className="font-mono">{COHORT_TAG}</span> tag, which the tag reconciliation below keeps in
          line with their category; <span className="font-mono">{EXEMPT_TAG}=true</span> marks an approved exception.{' '}
          <Link className="underline" href="/admin/program">
            Change the categories
          </Link>
        </p>
      </section>

      <section aria-labelledby="default-cohort-heading" className="space-y-2">
        <h3 id="default-cohort-heading" className="font-semibold">
          Users without a cohort tag
        </h3>
        <DefaultCohortForm current={program.defaultCohort} options={cohorts.map((c): [string, string] => [c.cohort, `${c.cohort} (deadline ${utc(c.deadline)})`])} />
      </section>
    </Card>
  );
}

async function TagReconciliation({ drift, labels }: { drift: Promise<DriftReport>; labels: Labels }) {
  const { changes, usersChecked, hash } = await drift;
  const users = new Set(changes.map((c) => `${c.accountId}/${c.userName}`)).size;
  const shown = changes.slice(0, DRIFT_ROWS);
  return (
    <Card aria-labelledby="tags-heading" className="space-y-3">
      <h2 id="tags-heading" className="text-xl font-semibold">
        Tag reconciliation
      </h2>
      <p className="text-sm text-slate-700">
        The policy reads each IAM user’s <span className="font-mono">{COHORT_TAG}</span> (their category’s cohort) and <span className="font-mono">{EXEMPT_TAG}</span> (true for an
        approved, unexpired exception) tags. Only the portal may change them. Compared with the stored inventory; applying re-reads each user’s tags from IAM first.
      </p>
      {changes.length === 0 ? (
        <p className="font-medium text-emerald-800" data-testid="drift-empty">
          Every user’s {COHORT_TAG} and {EXEMPT_TAG} tags match the program.{' '}
          <span className="font-normal text-slate-700">({plural(usersChecked, 'user')} checked.)</span>
        </p>
      ) : (
        <>
          <p className="font-medium" data-testid="drift-count">
            {plural(changes.length, 'change')} on {plural(users, 'IAM user')} ({plural(usersChecked, 'user')} checked).
          </p>
          <Scroll label="Tag changes">
            <table className="w-full min-w-[560px] text-left text-sm" data-testid="drift">
              <caption className="sr-only">Tags that differ from the program, per IAM user</caption>
              <TableHead className="bg-slate-50 text-slate-600 [&_th:first-child]:pl-2" columns={['IAM user', 'Tag', 'Now', 'The program wants']} />
              <tbody>
                {shown.map((c) => (
                  <tr key={`${c.accountId}/${c.userName}/${c.key}`} className="border-t border-slate-100 align-top" data-testid="drift-row" data-user={c.userName} data-tag={c.key}>
                    <td className="py-2 pr-3 pl-2">
                      <Link className="font-mono underline" href={userHref(c)}>
                        {c.userName}
                      </Link>
                      <span className="text-slate-600"> · {labels.get(c.accountId) ?? c.accountId}</span>
                    </td>
                    <td className="py-2 pr-3 font-mono">
                      {c.key}
                      {c.actualKey && c.actualKey !== c.key && <span className="block font-sans text-xs text-slate-600">set as {c.actualKey}</span>}
                    </td>
                    <td className="py-2 pr-3">{c.actual === null ? <span className="text-slate-600 italic">absent</span> : <span className="font-mono">{c.actual}</span>}</td>
                    <td className="py-2 pr-3">{c.desired === null ? <span className="italic">remove</span> : <span className="font-mono">{c.desired}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          {changes.length > shown.length && (
            <p className="text-sm">
              And {plural(changes.length - shown.length, 'more change')} not shown here; applying changes them too.{' '}
              <Link className="underline" href="/admin/users">
                Browse the users
              </Link>
            </p>
          )}
        </>
      )}
      <ApplyTags changes={changes.length} users={users} hash={hash} />
    </Card>
  );
}

type ImpactGroup = { from: Date; cohort: string; users: DeniedUser[] };

function groupDenied(denied: readonly DeniedUser[]): ImpactGroup[] {
  const groups = new Map<string, ImpactGroup>();
  for (const d of denied) {
    const key = `${d.from.toISOString()} ${d.cohort}`;
    const g = groups.get(key) ?? { from: d.from, cohort: d.cohort, users: [] };
    g.users.push(d);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.from.getTime() - b.from.getTime() || a.cohort.localeCompare(b.cohort));
}

/** One date and cohort of the impact: the users, each linked, with what sets them apart. */
function ImpactGroupList({ g, kind, labels, now }: { g: ImpactGroup; kind: DeniedUser['denied']; labels: Labels; now: Date }) {
  const id = `impact-${kind}-${g.from.getTime()}-${g.cohort}`;
  const more = g.users.length - IMPACT_ROWS;
  const testId = kind === 'everything' ? 'impact' : 'impact-keys';
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 p-3" data-testid={`${testId}-group`} data-cohort={g.cohort}>
      <h3 id={id} className="font-semibold">
        {kind === 'everything' ? 'From' : 'Access-key calls need an MFA session from'} {utc(g.from)} · cohort <span className="font-mono">{g.cohort}</span> · {plural(g.users.length, 'user')}
        {g.from <= now && (
          <span className="ml-2 align-middle">
            <Badge tone="bad">deadline passed: denied once deployed</Badge>
          </span>
        )}
      </h3>
      <ul className="mt-2 grid gap-1 text-sm sm:grid-cols-2">
        {g.users.slice(0, IMPACT_ROWS).map((u) => (
          <li key={`${u.accountId}/${u.userName}`} data-testid={`${testId}-user`} data-user={u.userName}>
            <Link className="font-mono break-all underline" href={userHref(u)}>
              {u.userName}
            </Link>
            <span className="text-slate-600"> · {labels.get(u.accountId) ?? u.accountId}</span>
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

async function Impact({ preview, labels, now }: { preview: Promise<Preview>; labels: Labels; now: Date }) {
  const p = await preview;
  const everything = p.denied.filter((d) => d.denied === 'everything');
  const keys = p.denied.filter((d) => d.denied === 'access-keys');
  const exceptions = p.denied.filter((d) => d.activeException).length;
  const outOfScope = p.denied.filter((d) => d.outOfScope).length;
  return (
    <Card aria-labelledby="impact-heading" className="space-y-3">
      <h2 id="impact-heading" className="text-xl font-semibold">
        Impact
      </h2>
      <p className="text-sm text-slate-700">
        Who this policy would deny, and from when, according to the stored inventory and the users’ current tags. Not affected: users tagged{' '}
        <span className="font-mono">{EXEMPT_TAG}=true</span>, users outside the enforced groups, and users with an MFA device who sign in to the console with it. Users without an
        MFA device are denied everything but signing in, changing their password and setting up MFA.
      </p>
      {everything.length === 0 ? (
        <p className="font-medium text-emerald-800" data-testid="impact-empty">
          Nobody is denied everything: every user in the enforced groups has an MFA device, is exempt, or has no cohort.
        </p>
      ) : (
        <p className="font-medium" data-testid="impact-count">
          {plural(everything.length, 'user')} without an MFA device would be denied everything but MFA self-service.
        </p>
      )}
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
      {groupDenied(everything).map((g) => (
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
        {keys.length === 0 ? (
          <p className="font-medium text-emerald-800" data-testid="impact-keys-empty">
            Nobody: no user with an MFA device in the enforced groups has used an access key.
          </p>
        ) : (
          <p className="font-medium" data-testid="impact-keys-count">
            {plural(keys.length, 'user')} with MFA would need an MFA session for access-key calls.
          </p>
        )}
        {groupDenied(keys).map((g) => (
          <ImpactGroupList key={`${g.from.getTime()}-${g.cohort}`} g={g} kind="access-keys" labels={labels} now={now} />
        ))}
      </section>
    </Card>
  );
}

function accountStatus(a: Account): { tone: 'good' | 'bad' | 'neutral' | 'info'; text: string } {
  if (a.error) return { tone: 'bad', text: 'could not be read' };
  if (!a.exists) return { tone: 'neutral', text: 'not deployed' };
  if (a.upToDate) return { tone: 'good', text: 'up to date' };
  const { added, removed } = diffCounts(a.diff);
  return { tone: 'info', text: `will change: +${added} −${removed} lines` };
}

function AccountPolicy({ a }: { a: Account }) {
  const status = accountStatus(a);
  const headingId = `account-${a.accountId}`;
  const added = a.diff.filter((l) => l.kind === 'add').length;
  return (
    <article aria-labelledby={headingId} className="space-y-3 rounded-lg border border-slate-200 p-3 sm:p-4" data-testid="account-policy" data-account={a.accountId}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={headingId} className="font-semibold">
          {a.label} <span className="font-mono font-normal text-slate-600">({a.accountId})</span>
        </h3>
        <span data-testid="account-status">
          <Badge tone={status.tone}>{status.text}</Badge>
        </span>
      </div>
      <p className="font-mono text-xs break-all text-slate-600">{a.arn}</p>
      {a.error ? (
        <Alert tone="error" title="This account could not be read">
          {a.error} A deploy reports it as failed; the other accounts are not affected.
        </Alert>
      ) : (
        <>
          <ul className="space-y-1 text-sm" data-testid="account-groups">
            {a.groups.map((g) => (
              <li key={g.name} data-group={g.name} data-state={!g.exists ? 'missing' : g.attached ? 'attached' : 'not-attached'}>
                {!g.exists ? (
                  <span className="text-amber-900">
                    <span aria-hidden="true">⚠ </span>Group {g.name} does not exist in this account: create it, or nobody there is enforced.
                  </span>
                ) : g.attached ? (
                  <span>
                    <span aria-hidden="true">✓ </span>Attached to group <span className="font-mono">{g.name}</span>.
                  </span>
                ) : (
                  <span>
                    Group <span className="font-mono">{g.name}</span> exists; the deploy attaches the policy to it.
                  </span>
                )}
              </li>
            ))}
          </ul>
          {!a.exists ? (
            <details className="text-sm">
              <summary className="cursor-pointer underline">The policy a deploy would create here ({plural(added, 'line')})</summary>
              <div className="mt-2">
                <DiffView lines={a.diff} label={`The policy a deploy would create in ${a.label}`} />
              </div>
            </details>
          ) : (
            !a.upToDate && (
              <div className="space-y-1 text-sm">
                <p>
                  Changes from <span className="font-mono">{a.defaultVersionId}</span> (in force) to the generated policy:
                </p>
                <DiffView lines={a.diff} label={`Changes in ${a.label}`} />
              </div>
            )
          )}
          {a.exists && (
            <section aria-label={`Retained versions in ${a.label}`} className="space-y-1">
              <p className="text-sm text-slate-700">
                Retained versions: IAM keeps {MAX_POLICY_VERSIONS}.
                {!a.upToDate && a.versions.length >= MAX_POLICY_VERSIONS ? ` The next deploy deletes the oldest one that is not the default, ${a.versions.find((v) => !v.isDefault)?.versionId}.` : ''}
              </p>
              <PolicyVersions accountId={a.accountId} label={a.label} versions={a.versions} />
            </section>
          )}
        </>
      )}
    </article>
  );
}

async function PolicyAndDiff({ preview }: { preview: Promise<Preview> }) {
  const p = await preview;
  return (
    <Card aria-labelledby="policy-heading" className="space-y-4">
      <h2 id="policy-heading" className="text-xl font-semibold">
        Policy and diff
      </h2>
      <details>
        <summary className="cursor-pointer underline">
          The generated policy ({number.format(p.generated.size.chars)} characters, version <span className="font-mono">{p.generated.hash}</span>)
        </summary>
        <div className="mt-2">
          <Scroll label="The generated policy">
            <pre className="p-3 font-mono text-xs leading-5" data-testid="generated-policy">
              {p.pretty}
            </pre>
          </Scroll>
        </div>
      </details>
      <div className="space-y-4">
        {p.accounts.map((a) => (
          <AccountPolicy key={a.accountId} a={a} />
        ))}
      </div>
    </Card>
  );
}

function pendingChange(a: Account): string | null {
  const attach = a.groups.filter((g) => g.exists && !g.attached).map((g) => g.name);
  const attachText = attach.length ? `attach to ${attach.join(', ')}` : '';
  if (!a.exists) return ['create the policy', attachText].filter(Boolean).join(', then ');
  if (!a.upToDate) {
    const { added, removed } = diffCounts(a.diff);
    return [`new default version (+${added} −${removed} lines)`, attachText].filter(Boolean).join(', then ');
  }
  return attachText || null;
}

async function Deploy({ preview }: { preview: Promise<Preview> }) {
  const p = await preview;
  const pending: PendingAccount[] = [];
  for (const a of p.accounts) {
    const change = a.error ? null : pendingChange(a);
    if (change) pending.push({ accountId: a.accountId, label: a.label, change });
  }
  return (
    <Card aria-labelledby="deploy-heading" className="space-y-3">
      <h2 id="deploy-heading" className="text-xl font-semibold">
        Deploy
      </h2>
      <p className="text-sm text-slate-700">
        Creates the policy, or a new default version of it, in every account and attaches it to the enforced groups there. The program is checked again first: if it changed since
        this page was loaded, nothing is deployed.
      </p>
      <DeployPanel
        hash={p.generated.hash}
        accounts={p.accounts.map((a) => ({ accountId: a.accountId, label: a.label }))}
        pending={pending}
        unreadable={p.accounts.filter((a) => a.error).map((a) => ({ accountId: a.accountId, label: a.label }))}
        blocked={p.blockers.length > 0}
      />
    </Card>
  );
}
