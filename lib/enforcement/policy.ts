/**
 * The deny-unless-MFA policy, generated from the program. Pure and deterministic: the same program gives
 * byte-identical JSON (cohorts sorted, keys in a fixed order), so a deploy can tell "no change" from a change
 * and the diff is meaningful. Why each piece is there: ../../../shared/AWS-FACTS.md (pain points 2 and 8).
 */

/** Managed policy documents may hold 6,144 characters, whitespace not counted. */
export const POLICY_MAX_CHARS = 6144;
export const COHORT_TAG = 'mfa-cohort';
export const EXEMPT_TAG = 'mfa-exempt';
/**
 * A user with a per-user window (lib/windows: an extension, a new user's window, a grace) carries this tag = the
 * window's end and has a window policy attached; the cohort statements skip such users, the window policy judges them.
 */
export const WINDOW_TAG = 'mfa-window';

/**
 * What a user without MFA may still do: sign in, change a password that must be changed (the first-sign-in
 * deadlock), read the password policy that page needs, see themselves, enroll, resync and clean up a failed
 * set-up, and get a session token with MFA (or CLI users are locked out: BoolIfExists counts long-term keys).
 */
export const SELF_SERVICE_ACTIONS = [
  'iam:ChangePassword',
  'iam:CreateVirtualMFADevice',
  'iam:DeleteVirtualMFADevice',
  'iam:EnableMFADevice',
  'iam:GetAccountPasswordPolicy',
  'iam:GetMFADevice',
  'iam:GetUser',
  'iam:ListMFADevices',
  'iam:ListVirtualMFADevices',
  'iam:ResyncMFADevice',
  'sts:GetSessionToken',
] as const;

/**
 * "mfa-*" in every letter case. IAM matches a user's tag keys case-insensitively (a user tagged mFa-Exempt=true has
 * aws:PrincipalTag/mfa-exempt = true), but StringLike on aws:TagKeys is case-sensitive: a casing left out here is a
 * way for users to exempt themselves. The member role (infra/aws) may change exactly these keys.
 */
export const MFA_TAG_KEY_PATTERNS = ['mfa-*', 'mfA-*', 'mFa-*', 'mFA-*', 'Mfa-*', 'MfA-*', 'MFa-*', 'MFA-*'];

export type Cohort = {
  cohort: string;
  deadline: Date;
  /** A category of the cohort counts only certified security keys: registering an uncertified one is denied. */
  requireCertifiedKey?: boolean;
};

/**
 * The certification condition keys IAM sets on the Activate step of a security key registration (iam:EnableMFADevice
 * with iam:RegisterSecurityKey = Activate), from the FIDO Alliance metadata service. All three absent: a key AWS
 * knows no certification for (or a synced passkey).
 */
export const FIDO_CERTIFICATION_KEYS = ['iam:FIDO-certification', 'iam:FIDO-FIPS-140-2-certification', 'iam:FIDO-FIPS-140-3-certification'] as const;

export type EnforcementInput = {
  /** One entry per cohort; a cohort's categories share its deadline. */
  cohorts: readonly Cohort[];
  /**
   * Users without an mfa-cohort tag, or with one that names no cohort here, belong to this cohort; null: they are not
   * enforced.
   */
  defaultCohort: string | null;
  /** The role the portal acts through in each account (the only principal that may change mfa-* tags). */
  portalRoleName: string;
};

export type Statement = {
  Sid: string;
  Effect: 'Deny';
  NotAction?: string[];
  Action?: string[];
  Resource: '*';
  Condition: Record<string, Record<string, string | string[]>>;
};

/**
 * Scopes a statement to one cohort: its own tag, or for the default cohort every user no other cohort takes.
 * Exempt users (mfa-exempt=true) are outside enforcement.
 */
function cohortScope(cohort: string, all: readonly Cohort[], defaultCohort: string | null): Statement['Condition'] {
  const exempt = { [`aws:PrincipalTag/${EXEMPT_TAG}`]: 'true' };
  if (cohort !== defaultCohort) return { StringEquals: { [`aws:PrincipalTag/${COHORT_TAG}`]: cohort }, StringNotEqualsIfExists: exempt };
  // The default cohort takes every user that no other statement takes: no tag (IfExists), its own tag, and a tag
  // naming no cohort of the program (a deleted category, a typo). With no other cohort it takes everyone; IAM
  // does not accept an empty list of values, so the cohort key is left out then.
  const others = all.filter((o) => o.cohort !== cohort).map((o) => o.cohort);
  return { StringNotEqualsIfExists: others.length ? { [`aws:PrincipalTag/${COHORT_TAG}`]: others, ...exempt } : exempt };
}

/** `Id` names the deployed set a document belongs to (policy-set.ts). */
export type PolicyDocument = { Version: '2012-10-17'; Id?: string; Statement: Statement[] };

/** "prod-admins" -> "ProdAdmins": Sids allow only [A-Za-z0-9]. Not unique ("prod-admins2" too): see cohortSids. */
export function sidPart(cohort: string): string {
  return cohort
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

/**
 * One Sid per cohort, unique as IAM requires, from the cohorts in sorted order: the first cohort with a given
 * sidPart keeps it, later ones get the smallest numeric suffix from 2 that no cohort's own sidPart and no Sid
 * already given uses. Depends only on the set of cohorts, so the same program keeps the same Sids.
 */
export function cohortSids(sortedCohorts: readonly string[]): string[] {
  const parts = sortedCohorts.map(sidPart);
  const reserved = new Set(parts);
  const used = new Set<string>();
  return parts.map((part) => {
    let sid = part;
    if (used.has(sid)) {
      let n = 2;
      while (reserved.has(`${part}${n}`) || used.has(`${part}${n}`)) n++;
      sid = `${part}${n}`;
    }
    used.add(sid);
    return `DenyWithoutMfa${sid}`;
  });
}

/** ISO 8601 without milliseconds, as IAM examples write dates. */
export const policyDate = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One cohort's statements: its deny without MFA and, for a cohort counting only certified keys, its key guard. */
export type CohortStatements = { cohort: string; deny: Statement; uncertifiedKey: Statement | null };

/** Every cohort's statements, in sorted cohort order; throws on a program IAM could not express. */
export function cohortStatements(input: EnforcementInput): CohortStatements[] {
  const cohorts = [...input.cohorts].sort((a, b) => (a.cohort < b.cohort ? -1 : a.cohort > b.cohort ? 1 : 0));
  const seen = new Set<string>();
  for (const c of cohorts) {
    if (seen.has(c.cohort)) throw new Error(`cohort ${c.cohort} is listed twice`);
    seen.add(c.cohort);
  }
  if (input.defaultCohort !== null && !seen.has(input.defaultCohort)) throw new Error(`the default cohort ${input.defaultCohort} has no deadline`);
  const sids = cohortSids(cohorts.map((c) => c.cohort));
  return cohorts.map((c, i) => {
    const scope = cohortScope(c.cohort, cohorts, input.defaultCohort);
    const condition: Statement['Condition'] = {
      BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
      DateGreaterThan: { 'aws:CurrentTime': policyDate(c.deadline) },
      ...scope,
      // A user with a window is judged by its window policy only (lib/windows/policy.ts).
      Null: { [`aws:PrincipalTag/${WINDOW_TAG}`]: 'true' },
    };
    const deny: Statement = { Sid: sids[i]!, Effect: 'Deny', NotAction: [...SELF_SERVICE_ACTIONS], Resource: '*', Condition: condition };
    // Not tied to the deadline: a key that would never count is refused from the start, instead of being registered
    // and then reported as a gap. Only the Activate step carries the certification keys; Create is left alone.
    const uncertifiedKey: Statement | null = c.requireCertifiedKey
      ? {
          Sid: sids[i]!.replace(/^DenyWithoutMfa/, 'DenyUncertifiedKey'),
          Effect: 'Deny',
          Action: ['iam:EnableMFADevice'],
          Resource: '*',
          Condition: {
            ...scope,
            StringEquals: { ...scope.StringEquals, 'iam:RegisterSecurityKey': 'Activate' },
            Null: Object.fromEntries(FIDO_CERTIFICATION_KEYS.map((k) => [k, 'true'])),
          },
        }
      : null;
    return { cohort: c.cohort, deny, uncertifiedKey };
  });
}

export function tagGuard(portalRoleName: string): Statement {
  return {
    Sid: 'OnlyThePortalChangesMfaTags',
    Effect: 'Deny',
    // CreateUser too: a new user created with mfa-exempt=true would otherwise skip the guard.
    Action: ['iam:CreateUser', 'iam:TagUser', 'iam:UntagUser'],
    Resource: '*',
    Condition: {
      'ForAnyValue:StringLike': { 'aws:TagKeys': [...MFA_TAG_KEY_PATTERNS] },
      ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/${portalRoleName}` },
    },
  };
}

/** The statements in document order: the denies, then the key guards, then (when given) the tag guard. */
export function assemble(parts: readonly CohortStatements[], guard: Statement | null, id?: string): PolicyDocument {
  const statements = [...parts.map((p) => p.deny), ...parts.flatMap((p) => (p.uncertifiedKey ? [p.uncertifiedKey] : [])), ...(guard ? [guard] : [])];
  return id === undefined ? { Version: '2012-10-17', Statement: statements } : { Version: '2012-10-17', Id: id, Statement: statements };
}

/** The whole program in one document (what one policy holds when it fits; the truth table's reference). */
export function buildPolicy(input: EnforcementInput): PolicyDocument {
  return assemble(cohortStatements(input), tagGuard(input.portalRoleName));
}

/** The document as deployed: compact JSON (whitespace does not count towards the limit, but we send none). */
export const policyJson = (doc: PolicyDocument) => JSON.stringify(doc);

export type SizeCheck = { ok: true; chars: number } | { ok: false; chars: number; message: string };

/** `defaultCohort` names the default cohort's statement in the advice (its condition lists the other cohorts, not it). */
export function checkSize(doc: PolicyDocument, defaultCohort: string | null = null): SizeCheck {
  const chars = policyJson(doc).replace(/\s/g, '').length;
  if (chars <= POLICY_MAX_CHARS) return { ok: true, chars };
  const cohortStatements = doc.Statement.filter((s) => s.NotAction);
  const perCohort = Math.ceil(policyJson({ Version: '2012-10-17', Statement: cohortStatements }).length / Math.max(1, cohortStatements.length));
  const over = chars - POLICY_MAX_CHARS;
  const merge = Math.ceil(over / perCohort);
  const byDeadline = new Map<string, string[]>();
  for (const s of cohortStatements) {
    const d = String(s.Condition.DateGreaterThan?.['aws:CurrentTime']);
    const named = s.Condition.StringEquals?.[`aws:PrincipalTag/${COHORT_TAG}`];
    const cohort = typeof named === 'string' ? named : (defaultCohort ?? 'the default cohort');
    byDeadline.set(d, [...(byDeadline.get(d) ?? []), cohort]);
  }
  const shared = [...byDeadline.entries()].filter(([, c]) => c.length > 1).map(([d, c]) => `${c.join(' + ')} (all due ${d})`);
  return {
    ok: false,
    chars,
    message:
      `The policy needs ${chars} characters; IAM allows ${POLICY_MAX_CHARS}. Each cohort costs about ${perCohort}, so merge at least ${merge} cohort${merge === 1 ? '' : 's'} into others` +
      (shared.length ? `; these already share a deadline and can become one cohort each: ${shared.join('; ')}.` : ' (give categories with similar deadlines one cohort and one deadline).'),
  };
}
