/**
 * The outbox's claims (outbox.ts) on both backends: on the PostgreSQL server, concurrent workers use separate pooled
 * connections under READ COMMITTED, as two instances' would. Deliveries are counted at a local webhook receiver.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { describeOnDatabases } from '@/test-support/databases';
import { programCategories, programDecisions, programUsers, inventoryUsers, reminderSends, type ProgramUserRow } from '@/lib/db/schema';
import type { ReminderConfig } from './config';
import { expireStaleSends, MAX_ATTEMPTS, RETRY_AFTER_MS, sendOne, STALE_SENDING_MS } from './outbox';
import { ACCOUNT, program } from './test-setup';

let receiver: Server;
let status = 200;
const received: string[] = [];
let config: ReminderConfig;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/outbox`;
  config = { emailFrom: null, webhookUrl, portalUrl: 'http://127.0.0.1:3999', emailTagKey: 'email', ownerTagKey: 'Owner', accounts: [] };
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

describeOnDatabases('the reminders outbox', (database) => {
  const db = () => database().db;
  let row: ProgramUserRow;
  beforeEach(async () => {
    status = 200;
    received.length = 0;
    for (const table of [reminderSends, programDecisions, programCategories, inventoryUsers]) await db().delete(table);
    const p = await program(db(), { deadlineInDays: 3, users: [{ name: 'outbox' }] });
    const [found] = await db().select().from(programUsers).where(and(eq(programUsers.accountId, ACCOUNT), eq(programUsers.userName, p.users.outbox!.userName)));
    row = found!;
  });
  const send = (actor: string) => sendOne(db(), config, { row, step: '7d', channel: 'webhook', now: new Date(), trigger: 'schedule', actor });
  const sends = () => db().select().from(reminderSends);
  // Moves the last attempt back in time, on the database's clock.
  const claimedAgo = (seconds: number) => db().update(reminderSends).set({ claimedAt: sql`now() - make_interval(secs => ${seconds})` });

  it('of concurrent workers, exactly one claims and sends a reminder', async () => {
    const outcomes = await Promise.all(['w1', 'w2', 'w3', 'w4'].map(send));
    expect(outcomes.sort()).toEqual(['alreadySent', 'alreadySent', 'alreadySent', 'sent']);
    expect(received).toHaveLength(1);
    expect(await sends()).toEqual([expect.objectContaining({ status: 'sent', attempts: 1 })]);
  });

  it('a failed send is retried by exactly one of concurrent workers, and at most MAX_ATTEMPTS times in all', async () => {
    status = 500;
    expect(await send('w0')).toBe('failed');
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      await claimedAgo(RETRY_AFTER_MS / 1000 + 1);
      const outcomes = await Promise.all(['w1', 'w2', 'w3'].map(send));
      expect(outcomes.sort(), `attempt ${attempt}`).toEqual(['alreadySent', 'alreadySent', 'failed']);
      expect(await sends()).toEqual([expect.objectContaining({ status: 'failed', attempts: attempt })]);
    }
    status = 200;
    await claimedAgo(RETRY_AFTER_MS / 1000 + 1);
    expect(await Promise.all(['w1', 'w2'].map(send))).toEqual(['alreadySent', 'alreadySent']);
    expect(received).toHaveLength(MAX_ATTEMPTS);
  });

  it('a scheduled retry waits RETRY_AFTER_MS after the last attempt; an admin\'s send now does not', async () => {
    status = 500;
    expect(await send('w0')).toBe('failed');
    status = 200;
    await claimedAgo(RETRY_AFTER_MS / 1000 - 30);
    expect(await send('w1')).toBe('alreadySent');
    expect(received).toHaveLength(1);
    await claimedAgo(RETRY_AFTER_MS / 1000 + 30);
    expect(await send('w1')).toBe('sent');
    expect(await sends()).toEqual([expect.objectContaining({ status: 'sent', attempts: 2 })]);

    await db().delete(reminderSends);
    status = 500;
    expect(await send('w0')).toBe('failed');
    status = 200;
    const manual = await sendOne(db(), config, { row, step: '7d', channel: 'webhook', now: new Date(), trigger: 'manual', actor: 'admin' });
    expect(manual).toBe('sent');
    expect(await sends()).toEqual([expect.objectContaining({ status: 'sent', attempts: 2, trigger: 'manual' })]);
  });

  it('a claim left sending past the limit becomes unknown once, and is never resent', async () => {
    await db()
      .insert(reminderSends)
      .values({ accountId: ACCOUNT, userName: row.userName, deadline: row.deadline!, step: '7d', channel: 'webhook', status: 'sending', trigger: 'schedule', actor: 'stopped-worker' });
    // Just inside the limit, on the database's clock: the worker may still be sending.
    await claimedAgo(STALE_SENDING_MS / 1000 - 30);
    expect(await expireStaleSends(db())).toBe(0);
    expect(await send('w1')).toBe('alreadySent');

    await claimedAgo(STALE_SENDING_MS / 1000 + 30);
    const expired = await Promise.all([expireStaleSends(db()), expireStaleSends(db())]);
    expect(expired.sort()).toEqual([0, 1]);
    expect(await sends()).toEqual([expect.objectContaining({ status: 'unknown', attempts: 1 })]);
    expect(await Promise.all(['w1', 'w2'].map(send))).toEqual(['alreadySent', 'alreadySent']);
    expect(received).toHaveLength(0);
  });
});
