import type { UserFacts } from '@/lib/inventory/classify';

/** The fixed "now" of the classification tests, and a date that many days before it. */
export const FACTS_NOW = new Date('2026-06-01T00:00:00Z');
export const daysAgo = (d: number) => new Date(FACTS_NOW.getTime() - d * 86_400_000);

/** A human console user who signed in yesterday, created 400 days ago, with no devices: override what a test is about. */
export const userFacts = (over: Partial<UserFacts> = {}): UserFacts => ({
  accountId: '111111111111',
  userName: 'alice.martin',
  arn: 'arn:aws:iam::111111111111:user/alice.martin',
  path: '/',
  createdAt: daysAgo(400),
  tags: {},
  groups: [],
  consoleAccess: true,
  passwordLastUsed: daysAgo(1),
  accessKeyLastUsed: null,
  devices: [],
  leftoverDevices: [],
  ...over,
});
