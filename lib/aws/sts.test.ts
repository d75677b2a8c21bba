import { describe, expect, it } from 'vitest';
import { parsePrincipalArn } from './sts';

describe('parsePrincipalArn', () => {
  it('recognises IAM users with paths', () => {
    expect(parsePrincipalArn('arn:aws:iam::111111111111:user/alice')).toEqual({ kind: 'user', accountId: '111111111111', userName: 'alice', path: '/' });
    expect(parsePrincipalArn('arn:aws:iam::111111111111:user/eng/ops/bob')).toEqual({ kind: 'user', accountId: '111111111111', userName: 'bob', path: '/eng/ops/' });
  });
  it('tells root, roles and federated sessions apart', () => {
    expect(parsePrincipalArn('arn:aws:iam::111111111111:root').kind).toBe('root');
    expect(parsePrincipalArn('arn:aws:sts::111111111111:assumed-role/Admin/s').kind).toBe('assumed-role');
    expect(parsePrincipalArn('arn:aws:sts::111111111111:federated-user/x').kind).toBe('federated');
    expect(parsePrincipalArn('nonsense').kind).toBe('other');
  });
});
