import { describe, expect, it } from 'vitest';
import { allowedTypesText } from '../resolve';
import { DAY_MS, type ReminderFacts } from '../reminder-plan';
import { buildReminderMessage, kindFor, messageValues, renderEmail, renderWebhook, webhookPayload } from './compose';
import { DEFAULT_TEMPLATES } from './defaults';

const D = new Date('2026-03-20T12:00:00Z');
const at = (daysBefore: number, extraMs = 0) => new Date(D.getTime() - daysBefore * DAY_MS + extraMs);

const facts = (over: Partial<ReminderFacts> = {}): ReminderFacts => ({
  accountId: '222222222222',
  accountLabel: 'Development',
  userName: 'bob',
  ownerEmail: 'bob@example.com',
  categoryName: 'Developers <dev>',
  deadline: D,
  gap: 'no-mfa',
  allowedDeviceTypes: ['virtual', 'fido'],
  minDevices: 1,
  link: 'https://mfa.example.com/enroll?user=222222222222/bob',
  now: at(5),
  ...over,
});

describe('buildReminderMessage', () => {
  it('says who, where, what is missing, by when, what is allowed and where to go', () => {
    const m = buildReminderMessage(facts());
    expect(m.subject).toBe('Set up MFA for IAM user bob in Development in 5 days');
    for (const part of [
      'IAM user: bob',
      'AWS account: Development (222222222222)',
      'Category: Developers <dev>',
      'Deadline: Friday 20 March 2026 at 12:00 UTC (in 5 days)',
      'Missing: No MFA device',
      `Allowed devices: ${allowedTypesText(['virtual', 'fido'])}`,
      'https://mfa.example.com/enroll?user=222222222222/bob',
    ]) {
      expect(m.text).toContain(part);
    }
    expect(m.html).toContain('Developers &#60;dev&#62;');
    expect(m.html).not.toContain('<dev>');
    expect(m.html).toContain('href="https://mfa.example.com/enroll?user=222222222222/bob"');
  });

  it('explains a disallowed device type and a missing backup', () => {
    expect(buildReminderMessage(facts({ gap: 'disallowed-type' })).text).toContain('Missing: Only device types this category does not allow');
    expect(buildReminderMessage(facts({ gap: 'needs-backup', minDevices: 2 })).text).toContain('Missing: A backup device is required: 2 MFA devices of an allowed type in total');
  });

  it('says overdue once the deadline has passed (an admin may still send one)', () => {
    const m = buildReminderMessage(facts({ now: at(-2) }));
    expect(m.subject).toBe('MFA is overdue for IAM user bob in Development');
    expect(m.text).toContain('has passed');
    expect(m.text).toContain('(2 days ago)');
  });

  it('names an unlabelled account by its id once', () => {
    expect(buildReminderMessage(facts({ accountLabel: '222222222222' })).text).toContain('AWS account: 222222222222\n');
  });
});

describe('webhookPayload', () => {
  it('is Slack-compatible JSON: a text fallback and blocks, with mrkdwn escaped and the portal link as a button', () => {
    const f = facts();
    const p = webhookPayload(f);
    expect(p.text).toContain('Set up MFA for IAM user bob in Development in 5 days (owner: bob@example.com)');
    expect(p.text).toContain(f.link);
    expect(p.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions']);
    const fields = p.blocks[1]!.type === 'section' ? p.blocks[1]!.fields!.map((x) => x.text) : [];
    expect(fields).toContain('*Category*\nDevelopers &lt;dev&gt;');
    expect(fields).toContain('*IAM user*\nbob');
    expect(p.blocks[3]).toEqual({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Set up MFA' }, url: f.link }] });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('says when there is no email tag', () => {
    const f = facts({ ownerEmail: null });
    expect(webhookPayload(f).text).toContain('(no email tag)');
  });
});


describe('templates', () => {
  it('picks the kind: reminder before the deadline, overdue after it, escalation for owners and contacts', () => {
    expect(kindFor(facts(), 'user')).toBe('reminder');
    expect(kindFor(facts({ now: at(-1) }), 'user')).toBe('overdue');
    expect(kindFor(facts(), 'owner')).toBe('escalation');
    expect(kindFor(facts(), 'account')).toBe('escalation');
  });

  it('renders an edited template with the values, and escapes them in the HTML part only', () => {
    const v = messageValues(facts({ userName: 'bob' }), { ownerName: 'Team <Ops>', recipientRole: 'owner' });
    const m = renderEmail({ subject: 'Hi {{ownerName}}: {{userName}} has {{daysLeft}} days', body: '{{userName}} of {{ownerName}}, {{recipientRole}}.\n\n{{enrollUrl}}' }, v);
    expect(m.subject).toBe('Hi Team <Ops>: bob has 5 days');
    expect(m.text).toBe('bob of Team <Ops>, the owner of this IAM user.\n\nhttps://mfa.example.com/enroll?user=222222222222/bob');
    expect(m.html).toBe(
      '<p>bob of Team &#60;Ops&#62;, the owner of this IAM user.</p>\n<p><a href="https://mfa.example.com/enroll?user=222222222222/bob">https://mfa.example.com/enroll?user=222222222222/bob</a></p>',
    );
  });

  it('counts days left up to whole days, and none once passed', () => {
    expect(messageValues(facts({ now: at(0.5) })).daysLeft).toBe('1');
    expect(messageValues(facts({ now: at(7) })).daysLeft).toBe('7');
    expect(messageValues(facts({ now: at(-2) })).daysLeft).toBe('0');
  });

  it('the escalation defaults name the owner, the contact and why the recipient gets it', () => {
    const f = facts();
    const e = { ownerName: 'alice', accountContact: 'dev-team@example.com', recipientRole: 'account' as const };
    const m = buildReminderMessage(f, 'escalation', e);
    expect(m.subject).toBe('IAM user bob in Development still has no compliant MFA: deadline in 5 days');
    expect(m.text).toContain('You receive this as the contact for this AWS account. The person it belongs to (bob@example.com) gets the same reminder.');
    const hook = renderWebhook(DEFAULT_TEMPLATES.escalation.webhook, messageValues(f, e));
    expect(hook.text).toContain('owner: alice; account contact: dev-team@example.com');
    expect(hook.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Escalated: IAM user bob in Development still has no compliant MFA' } });
  });
});
