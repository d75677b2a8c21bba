import { describe, expect, it } from 'vitest';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { buildPolicy } from '../../../lib/enforcement/policy';
import { PORTAL_TAG_KEY_PATTERNS } from '../lib/member-account-stack';
import { deployStatements, MFA_PREFIX_CASINGS, tagCondition } from './member-template';

describe('mfa-* tag keys in every casing', () => {
  it('are the 8 casings of "mfa-", each once', () => {
    expect([...PORTAL_TAG_KEY_PATTERNS].sort()).toEqual([...MFA_PREFIX_CASINGS].sort());
    expect(new Set(PORTAL_TAG_KEY_PATTERNS).size).toBe(8);
    expect(PORTAL_TAG_KEY_PATTERNS.every((p) => p.toLowerCase() === 'mfa-*')).toBe(true);
  });

  it('are the casings the enforcement policy’s tag guard reserves: the role may change every key the guard keeps from users', () => {
    const guard = buildPolicy({ cohorts: [], defaultCohort: null, portalRoleName: 'MfaPortalDeploy' }).Statement.find((s) => s.Sid === 'OnlyThePortalChangesMfaTags')!;
    const reserved = guard.Condition['ForAnyValue:StringLike']!['aws:TagKeys'];
    expect([...PORTAL_TAG_KEY_PATTERNS].sort()).toEqual([...(reserved as string[])].sort());
  });

  // The deploy role's own policy under an IAM simulator (StringLike is case-sensitive there, as in IAM).
  const ACCOUNT = '111111111111';
  const rolePolicy = (condition: unknown) => ({
    Version: '2012-10-17',
    Statement: deployStatements.map((s) =>
      JSON.parse(JSON.stringify(s.Sid === 'TagUsersMfaKeysOnly' ? { ...s, Condition: condition } : s).replaceAll('${Partition}', 'aws').replaceAll('${AccountId}', ACCOUNT)),
    ),
  });
  async function decide(policy: unknown, action: 'iam:TagUser' | 'iam:UntagUser', tagKeys: string[] | undefined) {
    const contextVariables: Record<string, string | string[]> = { 'aws:CurrentTime': '2026-06-01T00:00:00Z' };
    if (tagKeys) contextVariables['aws:TagKeys'] = tagKeys;
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/MfaPortalDeploy/mfa-portal-deploy`,
          action,
          resource: { resource: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT },
          contextVariables,
        },
        identityPolicies: [{ name: 'MfaPortal', policy: policy as Record<string, unknown> }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType !== 'single') throw new Error(`simulator returned ${result.resultType}`);
    if (result.result.ignoredContextKeys?.length) throw new Error(`simulator ignored ${result.result.ignoredContextKeys.join(', ')}`);
    return result.overallResult;
  }

  it.each(['iam:TagUser', 'iam:UntagUser'] as const)('%s: allowed for every casing of mfa-cohort and mfa-exempt, denied for other keys', async (action) => {
    const policy = rolePolicy(tagCondition);
    for (const prefix of MFA_PREFIX_CASINGS.map((p) => p.slice(0, -1))) {
      expect(await decide(policy, action, [`${prefix}cohort`]), `${prefix}cohort`).toBe('Allowed');
      expect(await decide(policy, action, [`${prefix}Exempt`, 'mfa-cohort']), `${prefix}Exempt`).toBe('Allowed');
    }
    // What applyTagDrift sends for a user tagged MFA-Exempt whose exemption ended.
    expect(await decide(policy, action, ['MFA-Exempt'])).toBe('Allowed');
    for (const keys of [['Department'], ['mfa-exempt', 'Department'], ['mfa_exempt'], ['xmfa-exempt']])
      expect(await decide(policy, action, keys), JSON.stringify(keys)).toBe('ImplicitlyDenied');
    expect(await decide(policy, action, undefined), 'no tag keys in the request').toBe('ImplicitlyDenied');
  });

  it('the former lowercase-only condition denied MFA-Exempt under the same simulator (so the case above is not vacuous)', async () => {
    const lowercaseOnly = { Null: { 'aws:TagKeys': 'false' }, 'ForAllValues:StringLike': { 'aws:TagKeys': 'mfa-*' } };
    expect(await decide(rolePolicy(lowercaseOnly), 'iam:UntagUser', ['mfa-exempt'])).toBe('Allowed');
    expect(await decide(rolePolicy(lowercaseOnly), 'iam:UntagUser', ['MFA-Exempt'])).toBe('ImplicitlyDenied');
  });
});
