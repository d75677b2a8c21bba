import { describe, expect, it } from 'vitest';
import { parseFidoArgs, pickDemoUser } from './demo-fido';
import type { GroundTruth, GroundTruthUser } from './ground-truth';

const user = (accountId: string, userName: string) => ({ accountId, userName }) as GroundTruthUser;
const truth = {
  accounts: [
    { id: '111111111111', name: 'Production', alias: 'acme-prod' },
    { id: '222222222222', name: 'Development', alias: 'acme-dev' },
  ],
  users: [user('111111111111', 'alice'), user('222222222222', 'alice.dev'), user('111111111111', 'ops'), user('222222222222', 'ops')],
} as GroundTruth;

describe('npm run demo:fido arguments', () => {
  it('takes a user, an account, a key name and --certified', () => {
    expect(parseFidoArgs(['alice'])).toEqual({ userName: 'alice', name: 'DemoSecurityKey', certified: false });
    expect(parseFidoArgs(['ops', '--account', 'Development', '--name', 'YubiKey-5', '--certified'])).toEqual({
      userName: 'ops',
      account: 'Development',
      name: 'YubiKey-5',
      certified: true,
    });
  });

  it('explains a missing user, a missing value, an unknown option, two users and a bad key name', () => {
    expect(parseFidoArgs([])).toEqual({ error: expect.stringMatching(/^usage: npm run demo:fido -- USER/) });
    expect(parseFidoArgs(['ops', '--account'])).toEqual({ error: expect.stringMatching(/^--account needs a value/) });
    expect(parseFidoArgs(['ops', '--name', '--certified'])).toEqual({ error: expect.stringMatching(/^--name needs a value/) });
    expect(parseFidoArgs(['ops', '--force'])).toEqual({ error: expect.stringMatching(/^unknown option --force/) });
    expect(parseFidoArgs(['ops', 'alice'])).toEqual({ error: expect.stringMatching(/^one user at a time \(got ops and alice\)/) });
    expect(parseFidoArgs(['ops', '--name', 'my key'])).toEqual({ error: expect.stringMatching(/^--name: letters/) });
  });
});

describe('which demo user is meant', () => {
  it('finds a user whose name is in one account', () => {
    expect(pickDemoUser(truth, 'alice')).toEqual(user('111111111111', 'alice'));
  });

  it('asks for the account when the name is in several, and takes its id, name or alias in any case', () => {
    expect(pickDemoUser(truth, 'ops')).toEqual({ error: 'ops is in Production and Development: add --account NAME' });
    for (const account of ['222222222222', 'development', 'ACME-DEV']) expect(pickDemoUser(truth, 'ops', account)).toEqual(user('222222222222', 'ops'));
  });

  it('names the accounts when the account is unknown, and says where to look when the user is', () => {
    expect(pickDemoUser(truth, 'ops', 'Staging')).toEqual({ error: 'no demo account Staging; the accounts are Production (111111111111), Development (222222222222)' });
    expect(pickDemoUser(truth, 'mallory')).toEqual({ error: expect.stringMatching(/^no IAM user mallory in the demo organisation/) });
    expect(pickDemoUser(truth, 'alice', 'Development')).toEqual({ error: expect.stringMatching(/^no IAM user alice in Development/) });
  });
});
