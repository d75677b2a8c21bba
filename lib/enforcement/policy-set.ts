/**
 * The enforcement policy as a set of managed policies: one policy holds about nine cohorts (each costs about 610 of
 * its 6,144 characters), so larger programs spread their cohorts over `<name>`, `<name>-2`, … Pure and deterministic.
 *
 * - A cohort's policy is chosen by a consistent hash of its name (jump hash) over enough policies to fill them about
 *   85% (or the group limit, when that is fewer); a cohort whose policy is full goes to the
 *   next one with room. So a new cohort lands in one policy and leaves the others' documents alone, and a set that
 *   grows by one policy moves only the cohorts that now hash to the new one (both unless a policy is full).
 * - The first policy always holds the tag guard, and so does any policy left without a cohort (IAM refuses a policy
 *   without statements): a retired policy (the set shrank) is kept attached, holding only the guard, so that a
 *   rollback can make its earlier version the default again and a set that grows again reuses it.
 * - Every document carries the set's hash as its `Id`: a deploy writes every policy of the set as one change, and a
 *   rollback finds each policy's version of the same set by it.
 */
import { createHash } from 'node:crypto';
import { assemble, checkSize, cohortStatements, POLICY_MAX_CHARS, policyJson, tagGuard, type CohortStatements, type EnforcementInput, type PolicyDocument } from './policy';

/** IAM attaches at most ten managed policies to a group (a quota that can be raised to 20; we assume the default). */
export const MAX_POLICIES_PER_GROUP = 10;

export type SetMember = { name: string; cohorts: string[]; document: PolicyDocument; json: string; chars: number };
export type PolicySet = { members: SetMember[]; hash: string; id: string };
export type PolicySetResult = ({ ok: true } & PolicySet) | { ok: false; message: string };

/** `<name>` for the first policy of the set, `<name>-2` for the second, … */
export const memberName = (base: string, index: number) => (index === 0 ? base : `${base}-${index + 1}`);

/** The index of a set member's name, or null when `name` is not one of the set's names. */
export function memberIndex(base: string, name: string): number | null {
  if (name === base) return 0;
  const m = name.startsWith(`${base}-`) ? /^([2-9]|[1-9]\d+)$/.exec(name.slice(base.length + 1)) : null;
  return m ? Number(m[1]) - 1 : null;
}

/** 64-bit key of a cohort name, from SHA-256: stable across runs and platforms. */
const keyOf = (cohort: string) => BigInt('0x' + createHash('sha256').update(cohort).digest('hex').slice(0, 16));

/** Lamping & Veach's jump consistent hash: growing from n to n+1 buckets moves only the keys that land in the new one. */
export function jumpHash(key: bigint, buckets: number): number {
  const mask = (1n << 64n) - 1n;
  let k = key;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & mask;
    j = Math.floor(((b + 1) * 2 ** 31) / Number((k >> 33n) + 1n));
  }
  return b;
}

export const stamp = (doc: PolicyDocument, id: string): PolicyDocument => ({ Version: doc.Version, Id: id, Statement: doc.Statement });

/** What a policy of the set holds when no cohort is assigned to it: the tag guard only. */
export const retiredDocument = (portalRoleName: string, id: string): PolicyDocument => assemble([], tagGuard(portalRoleName), id);

/** The share of a policy's characters the first choice of policy count aims for: room for cohorts to come. */
const TARGET_FILL = 0.85;
const ID_PLACEHOLDER = `MfaPortal${'0'.repeat(16)}`;
/** A cohort's statements' characters in a document, with their separating comma. */
const statementChars = (p: CohortStatements) => policyJson(assemble([p], null)).length - policyJson(assemble([], null)).length + 1;

/**
 * Each cohort goes to its hashed policy, or when that one is full to the next one with room (in sorted cohort order,
 * so the result depends only on the program). Null when some cohort finds no room.
 */
function place(parts: CohortStatements[], buckets: number, guardChars: number): number[] | null {
  const room = Array.from({ length: buckets }, (_, i) => POLICY_MAX_CHARS - policyJson(assemble([], null, ID_PLACEHOLDER)).length - (i === 0 ? guardChars : 0));
  const out: number[] = [];
  for (const p of parts) {
    const need = statementChars(p);
    const home = jumpHash(keyOf(p.cohort), buckets);
    let chosen = -1;
    for (let step = 0; step < buckets && chosen < 0; step++) if (room[(home + step) % buckets]! >= need) chosen = (home + step) % buckets;
    if (chosen < 0) return null;
    room[chosen]! -= need;
    out.push(chosen);
  }
  return out;
}

/**
 * The set for the program under `baseName`, using at most `maxPolicies` policies; refused (with what to do) when the
 * cohorts do not fit. Throws like buildPolicy on a program IAM could not express.
 */
export function buildPolicySet(input: EnforcementInput, baseName: string, maxPolicies = MAX_POLICIES_PER_GROUP): PolicySetResult {
  const parts = cohortStatements(input);
  const guard = tagGuard(input.portalRoleName);
  const guardChars = JSON.stringify(guard).length + 1;
  const total = parts.reduce((sum, p) => sum + statementChars(p), guardChars);
  const max = Math.max(1, maxPolicies);
  // Start with room to spare (fewer cohorts pushed off their hashed policy), tighter only within the limit.
  const first = Math.min(max, Math.max(1, Math.ceil(total / (POLICY_MAX_CHARS * TARGET_FILL))));
  for (let n = first; n <= max; n++) {
    const at = place(parts, n, guardChars);
    if (!at) continue;
    const own = (i: number) => parts.filter((_, k) => at[k] === i);
    const docs = Array.from({ length: n }, (_, i) => assemble(own(i), i === 0 || own(i).length === 0 ? guard : null));
    if (!docs.every((d) => checkSize(stamp(d, ID_PLACEHOLDER)).ok)) continue;
    const hash = createHash('sha256')
      .update(docs.map((d, i) => `${memberName(baseName, i)}\n${policyJson(d)}`).join('\n'))
      .digest('hex')
      .slice(0, 16);
    const id = `MfaPortal${hash}`;
    const members = docs.map((d, i): SetMember => {
      const document = stamp(d, id);
      const json = policyJson(document);
      return { name: memberName(baseName, i), cohorts: own(i).map((p) => p.cohort), document, json, chars: json.replace(/\s/g, '').length };
    });
    return { ok: true, members, hash, id };
  }
  return {
    ok: false,
    message:
      `The program's ${parts.length} cohorts do not fit in ${maxPolicies} managed ${maxPolicies === 1 ? 'policy' : 'policies'} of ${POLICY_MAX_CHARS} characters` +
      ` (IAM attaches at most ${MAX_POLICIES_PER_GROUP} managed policies to a group, counting its other policies). Merge cohorts with similar deadlines, or detach other policies from the enforced groups.`,
  };
}
