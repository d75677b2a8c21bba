/**
 * Escalated reminders and edited templates, end to end through the sender on both backends: moto's SES (behind
 * the local stack's proxy) and a local webhook receiver count what went out.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeOnDatabases } from '@/test-support/databases';
import { useLocalStack } from '@/test-support/stack';
import { capturedEmailsTo } from '@/test-support/ses';
import { DEMO_REMINDER_SENDER } from '@/infra/local/seed';
import { resetAwsClients } from '@/lib/aws/clients';
import { resetSesClient } from '@/lib/aws/ses';
import { accountContacts, auditLog, inventoryUsers, managedAccounts, messageTemplates, ownerContacts, programCategories, programDecisions, programSettings, reminderSends } from '@/lib/db/schema';
import type { Db } from '@/lib/db/client';
import type { Actor } from '@/lib/auth/types';
import { runReminders } from '../reminders/run';
import type { ReminderConfig } from '../reminders/config';
import { ACCOUNT, program, sendsOf } from '../reminders/test-setup';
import { setAccountContact, setEscalateSteps, setOwnerContact } from './contacts';
import { resetTemplate, saveTemplate } from './store';
import { sendTestMessage, TEST_SEND_LIMIT } from './test-send';

const dave: Actor = { id: 'dave@example.com', email: 'dave@example.com', name: 'Dave', method: 'oidc', roles: ['member', 'admin', 'security'], principals: [], authTime: 0 };
let motoUrl = '';
let receiver: Server;
const hooks: { text: string }[] = [];
let config: Partial<ReminderConfig>;

beforeAll(async () => {
  const { stack } = await useLocalStack();
  resetAwsClients();
  resetSesClient();
  motoUrl = stack.motoUrl;
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/escalation`;
  config = { emailFrom: DEMO_REMINDER_SENDER, webhookUrl, portalUrl: 'http://127.0.0.1:3999', emailTagKey: 'email', ownerTagKey: 'Owner', accounts: [{ id: ACCOUNT, label: 'Development' }] };
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const unique = (name: string) => `${name}.${randomBytes(4).toString('hex')}@example.com`;

describeOnDatabases('escalated reminders and templates', (database) => {
  const db = (): Db => database().db;
  const run = () => runReminders({ actor: 'scheduler', trigger: 'schedule' }, { db: db(), config });
  let owner: string;
  let contact: string;

  beforeEach(async () => {
    hooks.length = 0;
    for (const table of [reminderSends, programDecisions, programCategories, inventoryUsers, ownerContacts, accountContacts, messageTemplates, programSettings]) await db().delete(table);
    owner = unique('platform');
    contact = unique('dev-account');
    expect(await setOwnerContact(db(), dave, { owner: 'Platform Team', email: owner })).toMatchObject({ status: 'success' });
    expect(await setAccountContact(db(), dave, { accountId: ACCOUNT, email: contact })).toMatchObject({ status: 'success' });
  });

  it('the last step goes to the user, the owner and the account contact, exactly once each, and is recorded with their roles', async () => {
    const p = await program(db(), { deadlineInDays: 0.5, users: [{ name: 'late', tags: { Owner: 'platform team' } }] });
    const late = p.users.late!;
    const first = await run();
    expect(first).toMatchObject({ due: 4, sent: 4, failed: 0, skipped: 0 });
    expect(await run()).toMatchObject({ due: 4, sent: 0, alreadySent: 4 });

    const [toUser, ...moreUser] = await capturedEmailsTo(motoUrl, late.address!);
    const [toOwner, ...moreOwner] = await capturedEmailsTo(motoUrl, owner);
    const [toContact, ...moreContact] = await capturedEmailsTo(motoUrl, contact);
    expect([moreUser, moreOwner, moreContact]).toEqual([[], [], []]);
    expect(toUser!.subject).toBe(`Set up MFA for IAM user ${late.userName} in Development in less than a day`);
    expect(toOwner!.subject).toBe(`IAM user ${late.userName} in Development still has no compliant MFA: deadline in less than a day`);
    expect(toOwner!.body).toContain('You receive this as the owner of this IAM user.');
    expect(toContact!.body).toContain('You receive this as the contact for this AWS account.');
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.text).toContain(`Escalated: IAM user ${late.userName}`);
    expect(hooks[0]!.text).toContain(`owner: platform team; account contact: ${contact}`);

    const rows = await sendsOf(db(), late.userName);
    expect(rows.map((r) => [r.channel, r.recipientRole, r.recipient, r.status, r.step]).sort()).toEqual(
      [
        ['email', 'account', contact, 'sent', '1d'],
        ['email', 'owner', owner, 'sent', '1d'],
        ['email', 'user', late.address, 'sent', '1d'],
        ['webhook', 'user', new URL(config.webhookUrl!).host, 'sent', '1d'],
      ].sort(),
    );
  });

  it('earlier steps go only to the user, and the setting moves where escalation starts', async () => {
    const p = await program(db(), { deadlineInDays: 5, users: [{ name: 'early', tags: { Owner: owner } }] });
    const early = p.users.early!;
    expect(await run()).toMatchObject({ due: 2, sent: 2 });
    expect(await capturedEmailsTo(motoUrl, early.address!)).toHaveLength(1);
    expect(await capturedEmailsTo(motoUrl, owner)).toHaveLength(0);
    expect(await capturedEmailsTo(motoUrl, contact)).toHaveLength(0);
    expect((await sendsOf(db(), early.userName)).map((r) => r.recipientRole)).toEqual(['user', 'user']);
    expect(hooks[0]!.text).not.toContain('Escalated');

    // Two escalated steps: 7 days before is now one of them, and its escalation goes out (the user's own send was made).
    expect(await setEscalateSteps(db(), dave, '2')).toMatchObject({ status: 'success', data: { escalateSteps: 2 } });
    expect(await run()).toMatchObject({ due: 4, sent: 2, alreadySent: 2 });
    expect(await capturedEmailsTo(motoUrl, owner)).toHaveLength(1);
    expect(await capturedEmailsTo(motoUrl, early.address!)).toHaveLength(1);
  });

  it('records why an owner or an account cannot be reached, and sends the owner who is also the contact one message', async () => {
    await setAccountContact(db(), dave, { accountId: ACCOUNT, email: owner });
    const p = await program(db(), { deadlineInDays: 0.5, users: [{ name: 'named', tags: { Owner: 'Nobody Known' } }, { name: 'same', tags: { Owner: owner } }] });
    const summary = await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { db: db(), config: { ...config, webhookUrl: null } });
    // named: user + owner (no address: skipped) + account; same: user + owner (= the contact, once).
    expect(summary).toMatchObject({ due: 5, sent: 4, skipped: 1 });
    expect(await sendsOf(db(), p.users.named!.userName)).toContainEqual(
      expect.objectContaining({ recipientRole: 'owner', status: 'failed', recipient: null, error: expect.stringContaining('“Nobody Known”') }),
    );
    expect((await sendsOf(db(), p.users.same!.userName)).map((r) => r.recipientRole).sort()).toEqual(['owner', 'user']);
    expect(await capturedEmailsTo(motoUrl, owner)).toHaveLength(2);
  });

  it('without a contact set here, the account’s email in AWS Organizations is its contact', async () => {
    const orgEmail = unique('aws-root');
    await setAccountContact(db(), dave, { accountId: ACCOUNT, email: '' });
    await db().insert(managedAccounts).values({ accountId: ACCOUNT, name: 'Development', source: 'organizations', status: 'managed', email: orgEmail });
    try {
      const p = await program(db(), { deadlineInDays: 0.5, users: [{ name: 'orgs', tags: { Owner: owner } }] });
      await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { db: db(), config: { ...config, webhookUrl: null } });
      expect(await capturedEmailsTo(motoUrl, orgEmail)).toHaveLength(1);
      expect(await sendsOf(db(), p.users.orgs!.userName)).toContainEqual(expect.objectContaining({ recipientRole: 'account', recipient: orgEmail, status: 'sent' }));
    } finally {
      await db().delete(managedAccounts);
    }
  });

  it('sends the edited template, escaped in HTML, refuses an unknown placeholder, and is back to the default after a reset', async () => {
    const refused = await saveTemplate(db(), dave, { kind: 'reminder', channel: 'email', subject: 'Hi {{firstName}}', body: 'x' });
    expect(refused).toMatchObject({ status: 'invalid', fieldErrors: { subject: [expect.stringContaining('Unknown placeholder {{firstName}}')] } });
    const saved = await saveTemplate(db(), dave, { kind: 'reminder', channel: 'email', subject: 'MFA for {{userName}}: {{daysLeft}} days', body: 'Hello <team>,\n\n{{userName}} needs MFA: {{enrollUrl}}' });
    expect(saved).toMatchObject({ status: 'success' });
    const p = await program(db(), { deadlineInDays: 5, users: [{ name: 'edited' }] });
    const edited = p.users.edited!;
    await runReminders({ actor: 'scheduler', trigger: 'schedule' }, { db: db(), config: { ...config, webhookUrl: null } });
    const [mail] = await capturedEmailsTo(motoUrl, edited.address!);
    expect(mail!.subject).toBe(`MFA for ${edited.userName}: 5 days`);
    expect(mail!.body).toContain('Hello &#60;team&#62;,');
    expect(mail!.body).toContain(`<a href="http://127.0.0.1:3999/enroll?user=${ACCOUNT}/${edited.userName}">`);
    const audits = await db().select().from(auditLog).where(eq(auditLog.action, 'messages.template.update'));
    expect(audits.at(-1)).toMatchObject({ actor: 'dave@example.com', target: 'reminder/email', outcome: 'success' });

    expect(await resetTemplate(db(), dave, { kind: 'reminder', channel: 'email' })).toMatchObject({ status: 'success', data: { custom: false } });
    expect(await db().select().from(messageTemplates)).toEqual([]);
  });

  it('sends a test of the text as edited to the editor’s own address, audited, at most TEST_SEND_LIMIT in the window', async () => {
    const me = unique('editor');
    const editor: Actor = { ...dave, id: me, email: me };
    await program(db(), { deadlineInDays: 5, users: [{ name: 'sample' }] });
    const draft = { kind: 'escalation', channel: 'email', subject: 'Draft for {{userName}} ({{recipientRole}})', body: 'Owner {{ownerName}} <{{accountContact}}>' };
    const first = await sendTestMessage(editor, draft, { db: db(), config });
    expect(first).toMatchObject({ status: 'success', message: `Test sent to ${me}.` });
    const [mail] = await capturedEmailsTo(motoUrl, me);
    expect(mail!.subject).toMatch(/^\[Test\] Draft for sample-[0-9a-f]+ \(the owner of this IAM user\)$/);
    expect(mail!.body).toContain(`Owner no owner &#60;${contact}&#62;`);
    const audits = await db().select().from(auditLog).where(eq(auditLog.action, 'messages.template.test-send'));
    expect(audits.map((a) => [a.actor, a.target, a.outcome])).toEqual([
      [me, 'escalation/email', 'intent'],
      [me, 'escalation/email', 'success'],
    ]);
    expect(await sendTestMessage(editor, { ...draft, body: '{{password}}' }, { db: db(), config })).toMatchObject({ status: 'invalid' });
    for (let i = 1; i < TEST_SEND_LIMIT.max; i++) expect(await sendTestMessage(editor, draft, { db: db(), config })).toMatchObject({ status: 'success' });
    expect(await sendTestMessage(editor, draft, { db: db(), config })).toMatchObject({ status: 'error', code: 'RateLimited' });
    expect(await capturedEmailsTo(motoUrl, me)).toHaveLength(TEST_SEND_LIMIT.max);
    // Admins read the templates but do not send tests.
    await expect(sendTestMessage({ ...editor, roles: ['member', 'admin'] }, draft, { db: db(), config })).rejects.toThrow(/security/);
  });
});
