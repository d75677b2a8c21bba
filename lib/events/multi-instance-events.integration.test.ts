/**
 * Issue 13 §5 for IAM change events: two portal processes (test-support/portal-instance.ts) on one PostgreSQL server
 * apply each event once, whether both are handed the same event at the same moment or both drain the queue while
 * it holds copies of events.
 */
import { CreateUserCommand } from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consoleIam } from '@/infra/local/console';
import { readGroundTruth, type GroundTruth } from '@/infra/local/ground-truth';
import { DEV_ACCOUNT } from '@/infra/local/organisation';
import { publishEnvelope } from '@/infra/local/proxy-events';
import { openDatabase, type Database } from '@/lib/db/client';
import { consoleSignInEvidence, iamEventsApplied } from '@/lib/db/schema';
import { startTestPostgres, type TestPostgres } from '@/scripts/test-postgres';
import { enableConsoleWithMfa } from '@/test-support/console-user';
import { removeTestUsersAndSetups } from '@/test-support/iam-cleanup';
import { startPortals, type PortalInstance } from '@/test-support/two-portals';
import { consoleLoginEnvelope, iamCallEnvelope } from './envelope';

let server: TestPostgres;
let database: Database;
let portals: PortalInstance[];
let gt: GroundTruth;
let cronSecret: string;
let queueUrl: string;
const userName = `events-two-${randomBytes(4).readUInt32BE(0)}`;

beforeAll(async () => {
  const stack = inject('stack');
  gt = await readGroundTruth(stack.groundTruthFile);
  cronSecret = stack.env.MFA_CRON_SECRET!;
  queueUrl = stack.env.MFA_EVENTS_QUEUE_URL!;
  // Created through moto directly: no event of its own, the test sends every event itself.
  const iam = await consoleIam({ motoUrl: stack.motoUrl, accountId: DEV_ACCOUNT, groundTruth: gt });
  await iam.send(new CreateUserCommand({ UserName: userName }));
  // A sign-in with MFA is evidence only when AWS shows the user a password and an MFA device (lib/events/apply.ts).
  await enableConsoleWithMfa(iam, userName);
  iam.destroy();
  server = await startTestPostgres();
  portals = await startPortals(2, { ...stack.env, DATABASE_URL: server.url, MFA_EVENTS_MODE: 'cron' });
  database = await openDatabase(server.url);
  // Whatever earlier test files left on the shared queue.
  await Promise.all(portals.map((p) => p.call('POST', '/api/cron/events', { bearer: cronSecret })));
}, 240_000);

afterAll(async () => {
  await Promise.all((portals ?? []).map((p) => p.stop()));
  await database?.close();
  await server?.stop();
  const iam = await consoleIam({ motoUrl: inject('stack').motoUrl, accountId: DEV_ACCOUNT, groundTruth: gt });
  await removeTestUsersAndSetups(iam, [userName]);
  iam.destroy();
});

describe('two portal processes consuming the same IAM change events', () => {
  it('the same event handed to both at the same moment (five times each) is applied once', async () => {
    const envelope = consoleLoginEnvelope({ accountId: DEV_ACCOUNT, userName, mfaUsed: true });
    const body = JSON.stringify(envelope);
    const outcomes = await Promise.all(
      portals.flatMap((on) =>
        Array.from({ length: 5 }, () =>
          fetch(`${on.url}/events/apply`, { method: 'POST', body }).then(async (r) => ({ status: r.status, body: (await r.json()) as { kind: string; reason?: string } })),
        ),
      ),
    );
    expect(outcomes.every((o) => o.status === 200)).toBe(true);
    const kinds = outcomes.map((o) => (o.body.kind === 'dropped' ? o.body.reason : o.body.kind));
    expect(kinds.filter((k) => k === 'applied')).toHaveLength(1);
    // The others saw it applied (replay) or being applied (left for redelivery, a replay then).
    expect(kinds.every((k) => k === 'applied' || k === 'replay' || k === 'in-progress')).toBe(true);
    const rows = await database.db.select().from(iamEventsApplied).where(eq(iamEventsApplied.eventId, envelope.detail.eventID));
    expect(rows).toHaveLength(1);
    const [evidence] = await database.db.select().from(consoleSignInEvidence).where(eq(consoleSignInEvidence.userName, userName));
    expect(evidence?.mfaEventId).toBe(envelope.detail.eventID);
  });

  it('both draining a queue that holds three copies of each of four events apply each event once', async () => {
    const envelopes = Array.from({ length: 4 }, () => iamCallEnvelope({ accountId: DEV_ACCOUNT, eventName: 'TagUser', requestParameters: { userName } }));
    for (let copy = 0; copy < 3; copy += 1) for (const e of envelopes) await publishEnvelope(inject('stack').motoUrl, queueUrl, e);
    type Drained = { received: number; applied: number; dropped: number; failed: number };
    let total: Drained = { received: 0, applied: 0, dropped: 0, failed: 0 };
    // A copy one instance receives while the other applies the same event is left for redelivery (in progress):
    // both drain again until every copy was either applied or dropped.
    const deadline = Date.now() + 30_000;
    while (total.applied + total.dropped < 12 && Date.now() < deadline) {
      const results = await Promise.all(
        portals.map(async (on) => {
          const r = await on.call('POST', '/api/cron/events', { bearer: cronSecret });
          expect(r.status).toBe(200);
          return (await r.json()) as Drained;
        }),
      );
      for (const r of results) total = { received: total.received + r.received, applied: total.applied + r.applied, dropped: total.dropped + r.dropped, failed: total.failed + r.failed };
    }
    expect(total.applied).toBe(4);
    expect(total.dropped).toBe(8);
    expect(total.received).toBe(12 + total.failed);
    const ids = envelopes.map((e) => e.detail.eventID);
    const rows = await database.db.select().from(iamEventsApplied).where(inArray(iamEventsApplied.eventId, ids));
    expect(rows.map((r) => r.eventId).sort()).toEqual([...ids].sort());
    expect(rows.every((r) => r.appliedAt !== null)).toBe(true);
  });
});
