import { describe, expect, it } from 'vitest';
import type { CredentialReportUser } from './credential-report';
import { ReportUsers } from './report-users';

const user = (userName: string, over: Partial<CredentialReportUser> = {}): CredentialReportUser => ({
  userName,
  createdAt: new Date('2024-01-02T03:04:05.000Z'),
  passwordEnabled: true,
  passwordLastUsed: new Date('2025-06-01T00:00:00.123Z'),
  passwordNeverUsed: false,
  mfaActive: true,
  accessKeyLastUsed: null,
  ...over,
});

describe('ReportUsers', () => {
  it('gives back exactly the facts it was given, for every combination of flags and missing dates', () => {
    const users = new ReportUsers(2);
    const given: CredentialReportUser[] = [];
    for (let bits = 0; bits < 64; bits++) {
      const u = user(`u${bits}`, {
        passwordEnabled: (bits & 1) !== 0,
        passwordNeverUsed: (bits & 2) !== 0,
        mfaActive: (bits & 4) !== 0,
        createdAt: bits & 8 ? null : new Date(Date.UTC(2020, 0, 1) + bits * 1000),
        passwordLastUsed: bits & 16 ? null : new Date(Date.UTC(2025, 5, 1) + bits),
        accessKeyLastUsed: bits & 32 ? new Date(Date.UTC(2026, 0, 1) - bits) : null,
      });
      given.push(u);
      users.set(u);
    }
    // More users than its first capacity: it grew without losing any.
    expect(users.size).toBe(64);
    for (const u of given) expect(users.get(u.userName)).toEqual(u);
    expect([...users.keys()]).toEqual(given.map((u) => u.userName));
  });

  it('behaves as a Map: a repeated name replaces the facts, delete forgets, unknown names are undefined', () => {
    const users = new ReportUsers();
    users.set(user('alice')).set(user('bob', { mfaActive: false }));
    users.set(user('alice', { passwordEnabled: false, passwordLastUsed: null }));
    expect(users.size).toBe(2);
    expect(users.get('alice')).toMatchObject({ passwordEnabled: false, passwordLastUsed: null, mfaActive: true });
    expect(users.has('bob')).toBe(true);
    expect(users.delete('bob')).toBe(true);
    expect(users.delete('bob')).toBe(false);
    expect(users.has('bob')).toBe(false);
    expect(users.get('bob')).toBeUndefined();
    expect(users.get('carol')).toBeUndefined();
    expect(users.size).toBe(1);
  });

  it('hands out a new object on each read, so a caller changing it changes nothing stored', () => {
    const users = new ReportUsers().set(user('alice'));
    const first = users.get('alice')!;
    first.mfaActive = false;
    first.createdAt!.setTime(0);
    expect(users.get('alice')).toEqual(user('alice'));
  });
});
