import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { organizationsReadPolicy } from '../../local/aws-organization';
import { PORTAL_DEPLOY_ACTIONS, PORTAL_IAM_ACTIONS } from '../../local/policies';
import { ORGANIZATIONS_READ_ACTIONS } from '../lib/organizations-read-stack';
import { deployStatements, POLICY_WRITES, statements, TAG_WRITES, WINDOW_WRITES } from './member-template';
import { sdkCallsIn, sdkCallsUnder } from './sdk-calls';
import { actionsOf, buildApp, exampleConfig, type Statement } from './support';

/** lib/ holds everything the portal runs (lib/aws wraps the SDK; lib/enforcement and the rest call lib/aws). */
const LIB = fileURLToPath(new URL('../../../lib/', import.meta.url));
/** STS calls made with the person's own keys (sign-in with access keys, the MFA test), not the portal's role. */
const WITH_THE_PERSONS_OWN_KEYS = ['sts:GetCallerIdentity', 'sts:GetSessionToken'];

/** What is called but not granted, and granted but not called; both empty when the two sets are equal. */
const mismatch = (called: Iterable<string>, granted: Iterable<string>) => {
  const c = new Set(called);
  const g = new Set(granted);
  return { calledButNotGranted: [...c].filter((a) => !g.has(a)).sort(), grantedButNotCalled: [...g].filter((a) => !c.has(a)).sort() };
};
const none = { calledButNotGranted: [], grantedButNotCalled: [] };

describe('least privilege against the code', () => {
  /** The files whose calls go through the deploy role: the enforcement writes and the per-user window writes. */
  const POLICY_WRITES_FILE = join(LIB, 'aws', 'policy-writes.ts');
  const WINDOW_WRITES_FILE = join(LIB, 'aws', 'window-writes.ts');
  const called = sdkCallsUnder(LIB, [POLICY_WRITES_FILE, WINDOW_WRITES_FILE]);
  const calledIam = [...called.iam].map((c) => `iam:${c}`);
  const writes = sdkCallsIn(readFileSync(POLICY_WRITES_FILE, 'utf8'), POLICY_WRITES_FILE);
  const windowWrites = sdkCallsIn(readFileSync(WINDOW_WRITES_FILE, 'utf8'), WINDOW_WRITES_FILE);
  const calledThroughDeploy = [...new Set([...writes.iam, ...windowWrites.iam])].map((c) => `iam:${c}`);
  const sources = readdirSync(LIB, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.(test|spec)\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
  const APP = fileURLToPath(new URL('../../../app/', import.meta.url));
  const appSources = readdirSync(APP, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
  const filesMatching = (files: string[], re: RegExp, root: string) => files.filter((f) => re.test(readFileSync(f, 'utf8'))).map((f) => f.slice(root.length)).sort();

  it('finds the portal’s SDK calls in lib/ (the scan is not blind)', () => {
    expect(called.files.map((f) => f.slice(LIB.length)).sort()).toEqual(expect.arrayContaining(['aws/iam.ts', 'aws/policies.ts', 'aws/mfa.ts', 'aws/ses.ts']));
    expect(called.iam.size).toBeGreaterThan(20);
    expect(called.iam).toContain('GetAccountAuthorizationDetails'); // a paginator
    expect(called.iam).toContain('EnableMFADevice'); // a command
    expect(writes.iam).toContain('CreatePolicyVersion');
    expect(writes.iam).toContain('UntagUser'); // from enforcement's tag reconciliation
    expect(windowWrites.iam).toContain('AttachUserPolicy'); // a per-user window
    expect(windowWrites.iam).toContain('ListAttachedUserPolicies'); // a paginator
  });

  it('uses no AWS SDK client but IAM, STS, SES v2, Organizations and SQS (the IAM change event queue)', () => {
    expect([...called.others]).toEqual([]);
    expect([...writes.others]).toEqual([]);
    expect([...windowWrites.others]).toEqual([]);
  });

  it('the Organizations read role (and the local stack’s) grants exactly the Organizations calls lib/ makes', () => {
    const calledOrganizations = [...called.organizations].map((c) => `organizations:${c}`);
    expect(calledOrganizations).toContain('organizations:ListAccounts');
    const role = Object.values(Template.fromStack(buildApp(exampleConfig()).organizations!).findResources('AWS::IAM::Role'))[0] as {
      Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] };
    };
    expect(mismatch(calledOrganizations, role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement.flatMap(actionsOf)))).toEqual(none);
    expect(mismatch(calledOrganizations, ORGANIZATIONS_READ_ACTIONS)).toEqual(none);
    expect(mismatch(calledOrganizations, organizationsReadPolicy().Statement.flatMap((st) => actionsOf(st as Statement)))).toEqual(none);
  });

  it('the member role grants exactly the IAM actions lib/ calls through it: nothing missing, nothing unused', () => {
    expect(mismatch(calledIam, statements.flatMap(actionsOf))).toEqual(none);
  });

  it('the deploy role grants exactly the IAM actions lib/aws/policy-writes.ts and window-writes.ts call', () => {
    expect(mismatch(calledThroughDeploy, deployStatements.flatMap(actionsOf))).toEqual(none);
    expect([...calledThroughDeploy].sort()).toEqual([...new Set([...POLICY_WRITES, ...TAG_WRITES, ...WINDOW_WRITES])].sort());
  });

  it('the deploy role creates, deletes, attaches and detaches only window policies for users, by name and by iam:PolicyARN', () => {
    const windowArn = 'arn:${Partition}:iam::${AccountId}:policy/MfaPortalEnforcement-until-*';
    const bySid = (sid: string) => deployStatements.find((st) => st.Sid === sid)!;
    expect(bySid('WriteWindowPolicies')).toMatchObject({ Effect: 'Allow', Action: ['iam:CreatePolicy', 'iam:DeletePolicy', 'iam:GetPolicy'], Resource: windowArn });
    expect(bySid('AttachWindowPoliciesToUsers')).toMatchObject({ Action: ['iam:AttachUserPolicy', 'iam:DetachUserPolicy'], Condition: { ArnLike: { 'iam:PolicyARN': windowArn } } });
    // No other statement grants a user attachment or a policy deletion.
    const others = deployStatements.filter((st) => !['WriteWindowPolicies', 'AttachWindowPoliciesToUsers'].includes(st.Sid ?? ''));
    for (const a of ['iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:DeletePolicy']) expect(others.flatMap(actionsOf)).not.toContain(a);
  });

  it('only lib/aws/window-writes.ts is imported by lib/windows, and nothing else imports it', () => {
    const importers = filesMatching([...sources, ...appSources], /from ['"](@\/lib\/aws|\.)\/window-writes['"]/, '');
    expect(importers).toEqual([join(LIB, 'windows', 'repair.ts'), join(LIB, 'windows', 'steps.ts')]);
  });

  it('only lib/aws/policy-writes.ts and window-writes.ts use the deploy-role client, and only the security team’s deploy, rollback and tag reconciliation call policy-writes', () => {
    expect(filesMatching(sources, /\biamForDeploy\b/, LIB)).toEqual(['aws/clients.ts', 'aws/policy-writes.ts', 'aws/window-writes.ts']);
    const importers = filesMatching([...sources, ...appSources], /from ['"](@\/lib\/aws|\.)\/policy-writes['"]/, '');
    expect(importers).toEqual([join(LIB, 'enforcement', 'deploy.ts'), join(LIB, 'enforcement', 'rollback.ts'), join(LIB, 'enforcement', 'tags.ts')]);
    // Every exported function of those files that calls a writer checks the security role first.
    const writers = importers.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split(/\n(?=export )/)
        .filter((chunk) => /^export async function/.test(chunk))
        .filter((f) => /\b(createManagedPolicy|createPolicyVersion|deletePolicyVersion|setDefaultPolicyVersion|attachGroupPolicy|tagUser|untagUser)\(/.test(f)),
    );
    expect(writers.map((f) => /^export async function (\w+)/.exec(f)![1]).sort()).toEqual(['applyTagDrift', 'deployEnforcement', 'rollbackEnforcement']);
    for (const f of writers) expect(f).toMatch(/assertRole\(actor\.roles, 'security'/);
  });

  it('the local stack’s member and deploy roles grant exactly the same actions', () => {
    expect(mismatch(calledIam, PORTAL_IAM_ACTIONS)).toEqual(none);
    expect(mismatch(calledThroughDeploy, PORTAL_DEPLOY_ACTIONS)).toEqual(none);
  });

  it('the portal role grants exactly the STS, SES and SQS calls not made with the person’s own keys', () => {
    const portalStatements = Template.fromStack(buildApp(exampleConfig()).portal).findResources('AWS::IAM::Role');
    const granted = Object.values(portalStatements).flatMap((r) =>
      (r as { Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] } }).Properties.Policies.flatMap((p) => p.PolicyDocument.Statement.flatMap(actionsOf)),
    );
    // SQS authorizes DeleteMessageBatch as sqs:DeleteMessage.
    const sqsAction = (c: string) => `sqs:${c === 'DeleteMessageBatch' ? 'DeleteMessage' : c}`;
    const calledStsSes = [...[...called.sts].map((c) => `sts:${c}`), ...[...called.sesv2].map((c) => `ses:${c}`), ...[...called.sqs].map(sqsAction)];
    expect(called.sqs).toEqual(new Set(['ReceiveMessage', 'DeleteMessageBatch']));
    for (const own of WITH_THE_PERSONS_OWN_KEYS) expect(calledStsSes).toContain(own);
    expect(mismatch(calledStsSes.filter((a) => !WITH_THE_PERSONS_OWN_KEYS.includes(a)), granted)).toEqual(none);
  });
});

describe('the SDK call scan', () => {
  const source = `
    import { paginateListUsers, ListEntitiesForPolicyCommand, GetUserCommand as Who, ListGroupsCommand, type IAMClient } from '@aws-sdk/client-iam';
    import type { TagUserCommand } from '@aws-sdk/client-iam';
    import { AssumeRoleCommand } from "@aws-sdk/client-sts";
    import { ListAccountsCommand } from '@aws-sdk/client-organizations';
    import { ListBucketsCommand } from '@aws-sdk/client-s3';
    const a = paginateListUsers({ client }, {});
    await client.send(new ListEntitiesForPolicyCommand({ PolicyArn }));
    await client.send(new Who({}));
    await sts.send(new AssumeRoleCommand({}));
    await org.send(new ListAccountsCommand({}));
    await s3.send(new ListBucketsCommand({}));
    new SomethingElseCommand();
  `;

  it('finds commands and paginators imported from the IAM, STS, SES and Organizations clients, following aliases', () => {
    const calls = sdkCallsIn(source);
    expect([...calls.iam].sort()).toEqual(['GetUser', 'ListEntitiesForPolicy', 'ListUsers']);
    expect([...calls.sts]).toEqual(['AssumeRole']);
    expect([...calls.organizations]).toEqual(['ListAccounts']);
    expect([...calls.others]).toEqual(['s3']);
  });

  it('so a newly called API without its grant, or a grant nothing calls, fails the comparison', () => {
    const granted = statements.flatMap(actionsOf);
    expect(mismatch([...statements.flatMap(actionsOf), 'iam:ListEntitiesForPolicy'], granted).calledButNotGranted).toEqual(['iam:ListEntitiesForPolicy']);
    expect(mismatch(granted.filter((a) => a !== 'iam:EnableMFADevice'), granted).grantedButNotCalled).toEqual(['iam:EnableMFADevice']);
  });

  it('refuses imports it cannot follow', () => {
    expect(() => sdkCallsIn(`import * as iam from '@aws-sdk/client-iam';`)).toThrow(/only named imports/);
    expect(() => sdkCallsIn(`const iam = require('@aws-sdk/client-iam');`)).toThrow(/require/);
  });
});
