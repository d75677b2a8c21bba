import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { capturedEmailsTo } from '@/test-support/ses';
import { programSettings, reminderSends } from '@/lib/db/schema';
import { runReminders } from './run';
import { program, sendsOf, reminderStack } from './test-setup';

const stack = reminderStack();

describe('the webhook', () => {
  let server: Server;
  let url: string;
  let status = 200;
  const received: { headers: IncomingMessage['headers']; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'boom');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/secret-token`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    received.length = 0;
    status = 200;
  });

  it('POSTs Slack-compatible JSON per user, also for a user without an email tag, and records only the host', async () => {
    // The plain reminder's text: the last step's escalated text is messages/escalation.integration.test.ts's.
    await stack.db.insert(programSettings).values({ id: 1, escalateSteps: 0 }).onConflictDoUpdate({ target: programSettings.id, set: { escalateSteps: 0 } });
    const p = await program(stack.db, { deadlineInDays: 0.5, users: [{ name: 'hooked' }, { name: 'tagless', email: null }] });
    const summary = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: { emailFrom: null, webhookUrl: url } });
    expect(summary).toMatchObject({ channels: ['webhook'], due: 2, sent: 2 });
    expect(received).toHaveLength(2);
    expect(received[0]!.headers['content-type']).toMatch(/^application\/json/);
    const hooked = received.map((r) => r.body as { text: string; blocks: { type: string }[] }).find((b) => b.text.includes(p.users.hooked!.userName))!;
    expect(hooked.text).toContain(`(owner: ${p.users.hooked!.address})`);
    expect(hooked.text).toContain('in less than a day');
    expect(hooked.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions']);
    expect(received.some((r) => (r.body as { text: string }).text.includes(`${p.users.tagless!.userName}`) && (r.body as { text: string }).text.includes('(no email tag)'))).toBe(true);

    const [row] = await sendsOf(stack.db, p.users.hooked!.userName);
    expect(row).toMatchObject({ channel: 'webhook', step: '1d', status: 'sent', recipient: new URL(url).host });
    expect(JSON.stringify(await stack.db.select().from(reminderSends))).not.toContain('secret-token');
  });

  it('records a webhook answering 500 as failed, with the status', async () => {
    const p = await program(stack.db, { deadlineInDays: 2, users: [{ name: 'fivehundred' }] });
    status = 500;
    const summary = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { config: { emailFrom: null, webhookUrl: url } });
    expect(summary).toMatchObject({ due: 1, sent: 0, failed: 1 });
    expect(await sendsOf(stack.db, p.users.fivehundred!.userName)).toMatchObject([{ channel: 'webhook', status: 'failed', error: 'The webhook answered HTTP 500 Internal Server Error.' }]);
  });

  it('sends on both channels when both are configured, each once', async () => {
    const p = await program(stack.db, { deadlineInDays: 10, users: [{ name: 'both' }] });
    const options = { config: { webhookUrl: url } };
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, options)).toMatchObject({ channels: ['email', 'webhook'], due: 2, sent: 2 });
    expect(await runReminders({ actor: 'scheduler', trigger: 'schedule' }, options)).toMatchObject({ due: 2, sent: 0, alreadySent: 2 });
    expect(received).toHaveLength(1);
    expect(await capturedEmailsTo(stack.motoUrl, p.users.both!.address!)).toHaveLength(1);
    expect((await sendsOf(stack.db, p.users.both!.userName)).map((r) => [r.channel, r.step, r.status]).sort()).toEqual([
      ['email', '14d', 'sent'],
      ['webhook', '14d', 'sent'],
    ]);
  });
});
