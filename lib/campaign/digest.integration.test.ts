import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { describeOnDatabases } from '@/test-support/databases';
import { useLocalStack } from '@/test-support/stack';
import type { Db } from '@/lib/db/client';
import { auditLog, campaignDigestSends, inventoryUsers, programCategories, programDecisions } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import { userArn } from '@/lib/iam-identifiers';
import { runWeeklyDigest, sendDigestNow, previewDigest } from './digest';

const A = '111111111111';
const security: Actor = { id: 'dave@example.com', email: 'dave@example.com', name: 'Dave', method: 'oidc', roles: ['member', 'admin', 'security'], principals: [], authTime: 0 };
const admin: Actor = { ...security, id: 'carol@example.com', email: 'carol@example.com', roles: ['member', 'admin'] };
// Monday and Thursday of ISO week 2026-W49, and the Monday after.
const MON = new Date('2026-11-30T07:00:00Z');
const THU = new Date('2026-12-03T07:00:00Z');
const NEXT_MON = new Date('2026-12-07T07:00:00Z');

const user = (userName: string) => ({ accountId: A, userName, arn: userArn(A, userName), consoleAccess: true, groups: ['digest-it'], mfaState: 'none' as const, source: 'inventory' as const });

describeOnDatabases('the weekly campaign digest', (database) => {
  let db: Db;
  let server: Server;
  let url: string;
  let status = 200;
  const received: { text: string; blocks: { text?: { text: string } }[] }[] = [];
  const options = () => ({ db, config: { emailFrom: null, emailTo: [], webhookUrl: url } });
  const rows = () => db.select().from(campaignDigestSends).orderBy(campaignDigestSends.id);

  beforeAll(async () => {
    // The configuration (NEXTAUTH_URL for the link, the email tag key); the digest's channels are the test's own.
    await useLocalStack();
    db = database().db;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-token`;
    await db.insert(programCategories).values({
      name: 'Digest test',
      position: 1,
      selectorKind: 'group',
      selectorValue: 'digest-it',
      defaultDecision: 'required',
      allowedDeviceTypes: ['virtual'],
      deadline: new Date('2026-12-20T00:00:00Z'),
      cohort: 'digest-wave',
      updatedBy: 'test',
    });
    await db.insert(inventoryUsers).values([user('gap-one'), user('excepted')]);
    await db.insert(programDecisions).values({ accountId: A, userName: 'excepted', decision: 'exception', reason: 'Break-glass', approver: 'x', expiresAt: new Date(Date.now() + 5 * 86_400_000), decidedBy: 'test' });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    received.length = 0;
    status = 200;
  });

  const text = (i: number) => received[i]!.blocks.map((b) => b.text?.text ?? '').join('\n');

  it('sends once per ISO week and channel, however often and however concurrently it is called', async () => {
    const first = await Promise.all([runWeeklyDigest({ actor: 'scheduler', now: MON }, options()), runWeeklyDigest({ actor: 'scheduler', now: MON }, options())]);
    expect(first.map((s) => s.channels[0]!.outcome).sort()).toEqual(['alreadySent', 'sent']);
    const later = await runWeeklyDigest({ actor: 'scheduler', now: THU }, options());
    expect(later).toMatchObject({ slot: '2026-W49', channels: [{ channel: 'webhook', outcome: 'alreadySent' }] });
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('week 2026-W49');
    // The record names the webhook by its host only.
    expect(await rows()).toEqual([expect.objectContaining({ slot: '2026-W49', channel: 'webhook', status: 'sent', attempts: 1, recipient: new URL(url).host })]);
    const audits = await db.select().from(auditLog).where(eq(auditLog.action, 'campaign.digest.run'));
    expect(audits).toHaveLength(3);
  });

  it('says what the security team needs: burndown, gaps, ending exceptions, pending requests (or why not available)', async () => {
    const p = await previewDigest(security, { db, now: THU, config: options().config });
    expect(p.text).toContain('- digest-wave (deadline 20 Dec 2026): 0 of 1 enrolled, 1 remaining; no progress in 14 days');
    expect(p.text).toContain('Gaps (no earlier digest to compare with): 1');
    expect(p.text).toMatch(/Exceptions ending in the next 14 days: 1\n- 111111111111 excepted, Digest test: ends /);
    expect(p.text).toMatch(/- Extension requests waiting: (\d+|Not available: .*user_windows)/);
  });

  it('next week lists only the gaps that are new since the last digest', async () => {
    await db.insert(inventoryUsers).values(user('gap-two'));
    const s = await runWeeklyDigest({ actor: 'scheduler', now: NEXT_MON }, options());
    expect(s).toMatchObject({ slot: '2026-W50', channels: [{ outcome: 'sent' }] });
    expect(text(0)).toContain('New gaps since last week (compared with 2026-W49): 1\n- 111111111111 gap-two (digest-wave)');
    expect(text(0)).not.toContain('gap-one');
  });

  it('retries a failed send on a later call (after the retry pause), and only then', async () => {
    const WEEK_51 = new Date('2026-12-14T07:00:00Z');
    status = 500;
    expect((await runWeeklyDigest({ actor: 'scheduler', now: WEEK_51 }, options())).channels[0]).toMatchObject({ outcome: 'failed', error: expect.stringContaining('HTTP 500') });
    status = 200;
    // Straight after the failure: not yet (a retry at once would spend the attempts on the same outage).
    expect((await runWeeklyDigest({ actor: 'scheduler', now: WEEK_51 }, options())).channels[0]!.outcome).toBe('alreadySent');
    await db.execute(sql`UPDATE campaign_digest_sends SET claimed_at = now() - interval '10 minutes' WHERE slot = '2026-W51'`);
    expect((await runWeeklyDigest({ actor: 'scheduler', now: WEEK_51 }, options())).channels[0]!.outcome).toBe('sent');
    expect(received).toHaveLength(2);
    expect((await rows()).find((r) => r.slot === '2026-W51')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it("send now is the security team's, in a slot of its own that leaves the week's digest to go", async () => {
    await expect(sendDigestNow(admin, { db, now: MON, config: options().config })).rejects.toThrow(/security role/);
    const s = await sendDigestNow(security, { db, now: new Date('2026-12-21T07:00:00Z'), config: options().config });
    expect(s).toMatchObject({ slot: expect.stringMatching(/^manual-2026-12-21T07:00:00.000Z-/), channels: [{ outcome: 'sent' }] });
    expect((await runWeeklyDigest({ actor: 'scheduler', now: new Date('2026-12-21T08:00:00Z') }, options())).channels[0]!.outcome).toBe('sent');
    expect(received).toHaveLength(2);
    expect(await db.select().from(auditLog).where(eq(auditLog.action, 'campaign.digest.send-now'))).toEqual([expect.objectContaining({ actor: 'dave@example.com', outcome: 'success' })]);
  });

  it('with no channel configured sends nothing and records nothing', async () => {
    const before = (await rows()).length;
    const s = await runWeeklyDigest({ actor: 'scheduler', now: new Date('2027-01-04T07:00:00Z') }, { db, config: { emailFrom: null, emailTo: [], webhookUrl: null } });
    expect(s).toEqual({ slot: '2027-W01', off: true, channels: [] });
    expect(await rows()).toHaveLength(before);
  });
});
