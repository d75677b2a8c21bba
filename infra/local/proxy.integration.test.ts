import { ListAccountAliasesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { roleArn } from '@/lib/iam-identifiers';
import { assumeRole, iamClient, stsClient } from './aws-clients';
import { withConsoleHeader } from './console';
import { readGroundTruth, type GroundTruth } from './ground-truth';
import { failure, localStack } from './integration-support';
import { DEV_ACCOUNT } from './organisation';
import { FAULTS_PATH, LATENCY_PATH, parseFaultRules, startProxy, type FaultRule, type LocalProxy } from './proxy';

/** The proxy in front of moto: pass-through, faults for reliability tests (over HTTP, as e2e tests use them). */

const { stack, region, viaProxy, portalKey } = localStack();
const faultsUrl = `${stack.awsEndpoint}${FAULTS_PATH}`;

let truth: GroundTruth;
let iam: IAMClient;

const setFaults = async (rules: FaultRule | FaultRule[]) => {
  const res = await fetch(faultsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rules) });
  expect(res.status).toBe(200);
};
const activeFaults = async () => ((await (await fetch(faultsUrl)).json()) as { rules: Array<Required<FaultRule>> }).rules;
const clearFaults = () => fetch(faultsUrl, { method: 'DELETE' });

beforeAll(async () => {
  truth = await readGroundTruth(stack.groundTruthFile);
  const credentials = await assumeRole(viaProxy, portalKey, roleArn(DEV_ACCOUNT, truth.memberRole.name), {
    sessionName: 'proxy-test',
    externalId: truth.memberRole.externalId,
  });
  iam = iamClient(viaProxy, credentials);
});

afterEach(async () => {
  await clearFaults();
});

afterAll(() => {
  iam.destroy();
});

describe('the AWS endpoint (proxy)', () => {
  it('passes requests through to moto, signature and all', async () => {
    expect(stack.env.AWS_ENDPOINT_URL).toBe(stack.awsEndpoint);
    expect(stack.awsEndpoint).not.toBe(stack.motoUrl);
    const out = await iam.send(new ListAccountAliasesCommand({}));
    expect(out.AccountAliases).toEqual([truth.accounts.find((a) => a.id === DEV_ACCOUNT)?.alias]);
    const wrong = stsClient(viaProxy, { ...portalKey, secretAccessKey: `${portalKey.secretAccessKey}x` });
    expect(await failure(wrong.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    wrong.destroy();
    // moto's own API passes too (not data.json: stock moto answers 500 there once any user was deleted).
    const dashboard = await fetch(`${stack.awsEndpoint}/moto-api/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('<html');
  });

  it('refuses any request carrying X-Local-Console (403), even one that is otherwise fine', async () => {
    const res = await fetch(stack.awsEndpoint, { method: 'POST', headers: { 'x-local-console': 'register' }, body: 'Action=ListUsers&Version=2010-05-08' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
    const sneaky = withConsoleHeader(iamClient(viaProxy, await assumeRole(viaProxy, portalKey, roleArn(DEV_ACCOUNT, truth.memberRole.name), { sessionName: 's', externalId: truth.memberRole.externalId })));
    expect(await failure(sneaky.send(new ListAccountAliasesCommand({})))).toMatchObject({ name: 'AccessDenied', status: 403 });
    sneaky.destroy();
  });
});

describe('fault injection', () => {
  it('throttles: the SDK retries Throttling and succeeds on the third attempt', async () => {
    await setFaults({ action: 'ListAccountAliases', kind: 'throttle', times: 2 });
    const out = await iam.send(new ListAccountAliasesCommand({}));
    expect(out.$metadata.attempts).toBe(3);
    expect(await activeFaults()).toEqual([]);
  });

  it('answers 5xx: more failures than the SDK attempts surface as ServiceUnavailable (503) or InternalFailure (500)', async () => {
    await setFaults({ action: 'ListAccountAliases', kind: '5xx', times: 5 });
    expect(await failure(iam.send(new ListAccountAliasesCommand({})))).toEqual({ name: 'ServiceUnavailable', status: 503, attempts: 3, message: expect.any(String) });
    expect((await activeFaults())[0]?.times).toBe(2);

    await setFaults({ action: 'ListAccountAliases', kind: '5xx', status: 500, times: 3 });
    expect(await failure(iam.send(new ListAccountAliasesCommand({})))).toMatchObject({ name: 'InternalFailure', status: 500 });
    expect(await activeFaults()).toEqual([]);
  });

  it('delays by at least latencyMs', async () => {
    await setFaults({ action: 'ListAccountAliases', kind: 'latency', latencyMs: 700 });
    const started = performance.now();
    await iam.send(new ListAccountAliasesCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(700);
    const again = performance.now();
    await iam.send(new ListAccountAliasesCommand({}));
    expect(performance.now() - again).toBeLessThan(700);
  });

  it('delays every AWS request by the standing latency until it is turned off (benchmarks model AWS with it)', async () => {
    const latencyUrl = `${stack.awsEndpoint}${LATENCY_PATH}`;
    try {
      const set = await fetch(latencyUrl, { method: 'POST', body: JSON.stringify({ ms: 400 }) });
      expect(await set.json()).toEqual({ ms: 400, mode: 'added' });
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await iam.send(new ListAccountAliasesCommand({}));
        expect(performance.now() - started).toBeGreaterThanOrEqual(400);
      }
      expect((await fetch(latencyUrl, { method: 'POST', body: JSON.stringify({ ms: -1 }) })).status).toBe(400);
      expect(await (await fetch(latencyUrl)).json()).toEqual({ ms: 400, mode: 'added' });
    } finally {
      expect(await (await fetch(latencyUrl, { method: 'DELETE' })).json()).toEqual({ ms: 0, mode: 'added' });
    }
    const again = performance.now();
    await iam.send(new ListAccountAliasesCommand({}));
    expect(performance.now() - again).toBeLessThan(400);
  });

  it('as a floor, answers no sooner than the latency after arrival, time already spent included (AWS: ~ms in all)', async () => {
    const latencyUrl = `${stack.awsEndpoint}${LATENCY_PATH}`;
    try {
      expect((await fetch(latencyUrl, { method: 'POST', body: JSON.stringify({ ms: 400, mode: 'sideways' }) })).status).toBe(400);
      const set = await fetch(latencyUrl, { method: 'POST', body: JSON.stringify({ ms: 400, mode: 'floor' }) });
      expect(await set.json()).toEqual({ ms: 400, mode: 'floor' });
      const started = performance.now();
      await iam.send(new ListAccountAliasesCommand({}));
      expect(performance.now() - started).toBeGreaterThanOrEqual(400);
      // A request that already took 600 ms inside the proxy (a latency fault) is not held 400 ms more, as "added" would.
      await setFaults({ action: 'ListAccountAliases', kind: 'latency', latencyMs: 600 });
      const slow = performance.now();
      await iam.send(new ListAccountAliasesCommand({}));
      const took = performance.now() - slow;
      expect(took).toBeGreaterThanOrEqual(600);
      expect(took).toBeLessThan(1000);
    } finally {
      expect(await (await fetch(latencyUrl, { method: 'DELETE' })).json()).toEqual({ ms: 0, mode: 'added' });
    }
  });

  it('affects only the named operation, or any with "*"', async () => {
    await setFaults([{ action: 'ListUsers', kind: '5xx', times: 10 }]);
    await iam.send(new ListAccountAliasesCommand({}));
    expect((await activeFaults())[0]?.times).toBe(10);
    await setFaults({ action: '*', kind: 'throttle' });
    const out = await iam.send(new ListAccountAliasesCommand({}));
    expect(out.$metadata.attempts).toBe(2);
  });

  it('refuses malformed rules with 400 and unbounded ones', async () => {
    for (const bad of [{ action: 'ListUsers', kind: 'explode' }, { action: 'ListUsers', kind: 'throttle', times: 0 }, { action: 'ListUsers', kind: 'throttle', times: 1e6 }, { kind: 'throttle' }, { action: 'ListUsers', kind: 'latency', latencyMs: 3_600_000 }]) {
      const res = await fetch(faultsUrl, { method: 'POST', body: JSON.stringify(bad) });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await fetch(faultsUrl, { method: 'POST', body: '{not json' })).status).toBe(400);
    expect(await activeFaults()).toEqual([]);
    expect(parseFaultRules({ rules: [{ action: 'ListUsers', kind: '5xx' }] })).toEqual([{ action: 'ListUsers', kind: '5xx', times: 1, status: 503 }]);
  });
});

describe('startProxy', () => {
  let own: LocalProxy | undefined;
  afterAll(async () => {
    await own?.stop();
  });

  it('controls faults in-process and stops cleanly', async () => {
    own = await startProxy({ upstream: stack.motoUrl });
    own.setFaults({ action: 'GetCallerIdentity', kind: 'throttle', times: 1 });
    const sts = stsClient({ endpoint: own.url, region }, portalKey);
    const out = await sts.send(new GetCallerIdentityCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(own.faults()).toEqual([]);
    own.setFaults({ action: 'GetCallerIdentity', kind: '5xx', times: 9 });
    own.clearFaults();
    expect((await sts.send(new GetCallerIdentityCommand({}))).$metadata.attempts).toBe(1);
    sts.destroy();
    await own.stop();
    await own.stop();
    await expect(fetch(`${own.url}/moto-api/`)).rejects.toThrow();
  });
});
