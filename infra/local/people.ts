/**
 * The demo cast: who can sign in at the demo IdP, and which IAM users the seed gives them.
 * Passwords are demo data, printed by `npm run demo`; never reuse this file for anything real.
 */

import { ADMIN_GROUP, DEV_ACCOUNT as DEV, PROD_ACCOUNT as PROD, SECURITY_ACCOUNT as SECURITY, SECURITY_GROUP } from './organisation';

export type DemoPerson = {
  email: string;
  name: string;
  password: string;
  /** The IdP's `groups` claim. */
  groups: string[];
};

export type DemoDeviceType = 'virtual' | 'hardware' | 'fido';

export type DemoIamUser = {
  owner: string;
  accountId: string;
  userName: string;
  groups: string[];
  /** Enabled devices, in the order they are enabled. */
  devices: DemoDeviceType[];
  /** Whether the seed creates an access key (recorded in the ground truth's accessKeys). */
  accessKey: boolean;
  /** Days before the seed that the user was created (default 400). */
  createdDaysAgo?: number;
  /** Days before the seed of the last console sign-in (default 2); null: never signed in. */
  passwordLastUsedDaysAgo?: number | null;
};

export const demoPeople: DemoPerson[] = [
  { email: 'alice@example.com', name: 'Alice Martin', password: 'alice-demo-1', groups: ['engineering'] },
  { email: 'bob@example.com', name: 'Bob Okafor', password: 'bob-demo-1', groups: ['engineering'] },
  { email: 'grace@example.com', name: 'Grace Lindqvist', password: 'grace-demo-1', groups: ['data'] },
  { email: 'carol@example.com', name: 'Carol Diaz', password: 'carol-demo-1', groups: ['cloud-platform'] },
  { email: 'dave@example.com', name: 'Dave Kowalski', password: 'dave-demo-1', groups: ['security'] },
  { email: 'erin@example.com', name: 'Erin Walsh', password: 'erin-demo-1', groups: ['finance'] },
  { email: 'frank@example.com', name: 'Frank Moreau', password: 'frank-demo-1', groups: ['cloud-platform', ADMIN_GROUP] },
];

export const demoIamUsers: DemoIamUser[] = [
  { owner: 'alice@example.com', accountId: PROD, userName: 'alice', groups: ['developers'], devices: [], accessKey: true },
  { owner: 'alice@example.com', accountId: DEV, userName: 'alice.dev', groups: ['developers'], devices: ['virtual'], accessKey: false },
  // New this week, has not signed in to the console yet: "not signed in yet", not stale.
  { owner: 'bob@example.com', accountId: DEV, userName: 'bob', groups: ['developers'], devices: [], accessKey: true, createdDaysAgo: 3, passwordLastUsedDaysAgo: null },
  { owner: 'grace@example.com', accountId: PROD, userName: 'grace', groups: ['readonly'], devices: ['virtual', 'fido'], accessKey: false },
  { owner: 'carol@example.com', accountId: SECURITY, userName: 'carol', groups: [ADMIN_GROUP, 'operators'], devices: ['virtual'], accessKey: true },
  { owner: 'dave@example.com', accountId: SECURITY, userName: 'dave', groups: [SECURITY_GROUP], devices: ['hardware'], accessKey: false },
  // Has not used the console for months: stale, and the advice is to confirm with him first.
  { owner: 'frank@example.com', accountId: DEV, userName: 'frank', groups: ['operators'], devices: [], accessKey: false, createdDaysAgo: 900, passwordLastUsedDaysAgo: 150 },
];
