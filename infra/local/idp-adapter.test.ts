import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryAdapter } from './idp-adapter';

afterEach(() => vi.useRealTimers());

describe('demo IdP memory adapter', () => {
  it('keeps each model apart and forgets an entry once it expires', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-05T00:00:00Z') });
    const adapter = memoryAdapter();
    const codes = adapter('AuthorizationCode');
    await codes.upsert('x', { kind: 'AuthorizationCode', accountId: 'a' }, 60);
    expect(await adapter('AccessToken').find('x')).toBeUndefined();
    expect(await codes.find('x')).toMatchObject({ accountId: 'a' });
    vi.advanceTimersByTime(60_000);
    expect(await codes.find('x')).toBeUndefined();
  });

  it('finds a session by its uid, marks a code consumed, and destroys', async () => {
    const adapter = memoryAdapter();
    const sessions = adapter('Session');
    await sessions.upsert('s1', { kind: 'Session', uid: 'u1' }, 3600);
    expect(await sessions.findByUid('u1')).toMatchObject({ uid: 'u1' });
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { kind: 'AuthorizationCode' }, 600);
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toEqual(expect.any(Number));
    await sessions.destroy('s1');
    expect(await sessions.findByUid('u1')).toBeUndefined();
  });

  it('revokes every token of a grant and nothing else', async () => {
    const adapter = memoryAdapter();
    await adapter('AccessToken').upsert('t1', { kind: 'AccessToken', grantId: 'g1' }, 3600);
    await adapter('AuthorizationCode').upsert('c1', { kind: 'AuthorizationCode', grantId: 'g1' }, 600);
    await adapter('AccessToken').upsert('t2', { kind: 'AccessToken', grantId: 'g2' }, 3600);
    await adapter('AccessToken').revokeByGrantId('g1');
    expect(await adapter('AccessToken').find('t1')).toBeUndefined();
    expect(await adapter('AuthorizationCode').find('c1')).toBeUndefined();
    expect(await adapter('AccessToken').find('t2')).toMatchObject({ grantId: 'g2' });
  });
});
