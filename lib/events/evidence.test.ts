import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getSignInEvidence } from './evidence';

const own = { accountId: '111111111111', userName: 'alice', arn: 'arn:aws:iam::111111111111:user/alice' };
const member: Actor = { id: 'alice@example.com', email: 'alice@example.com', name: 'Alice', method: 'oidc', roles: ['member'], principals: [own], authTime: 0 };

describe('getSignInEvidence', () => {
  it("refuses a member another person's IAM user, also mixed in with their own, before reading anything", async () => {
    await expect(getSignInEvidence(member, [{ accountId: '111111111111', userName: 'bob' }])).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getSignInEvidence(member, [{ accountId: '222222222222', userName: 'alice' }])).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getSignInEvidence(member, [own, { accountId: '111111111111', userName: 'bob' }])).rejects.toBeInstanceOf(ForbiddenError);
  });
});
