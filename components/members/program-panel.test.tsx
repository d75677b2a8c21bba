import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { resolveProgram, type ProgramCategory, type UserDecision } from '@/lib/program/resolve';
import type { MfaDevice } from '@/lib/aws/mfa-devices';
import { ProgramPanel } from './program-panel';

const now = new Date('2026-03-01T12:00:00Z');

const category: ProgramCategory = {
  id: 1,
  name: 'Prod admins',
  position: 0,
  selectorKind: 'account',
  selectorKey: null,
  selectorValue: '111111111111',
  requireCertifiedKey: false,
  defaultDecision: 'required',
  allowedDeviceTypes: ['hardware', 'fido'],
  minDevices: 2,
  deadline: new Date('2026-03-13T12:00:00Z'),
  cohort: 'prod',
  reason: null,
  approver: null,
  expiresAt: null,
};

const device = (type: MfaDevice['type'], n = 1): MfaDevice => ({ serial: `${type}-${n}`, type, name: `${type}-${n}`, enabledAt: null });

function render(devices: MfaDevice[], categories: ProgramCategory[] = [category], decision: UserDecision | null = null, consoleAccess = true) {
  const program = resolveProgram({ accountId: '111111111111', path: '/', tags: {}, groups: [], consoleAccess, devices }, categories, decision, now);
  const html = renderToStaticMarkup(<ProgramPanel id="u" program={program} devices={devices} now={now} />);
  // Text as a reader gets it: tags out, entities decoded.
  return html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
}

describe('ProgramPanel', () => {
  it('shows category, UTC deadline with countdown, allowed types, backup rule and progress', () => {
    const text = render([device('hardware')]);
    expect(text).toContain('Category Prod admins');
    expect(text).toContain('13 Mar 2026, 12:00 UTC (in 12 days)');
    expect(text).toContain('Allowed devices Hardware TOTP tokens and security keys or passkeys');
    expect(text).toContain('A backup device is required: 1 of 2 enrolled');
    expect(text).toContain('Devices of an allowed type: 1 of 2');
    expect(text).toContain('To do: A backup device is required.');
  });

  it('flags a device of a type the category does not accept, and does not count it', () => {
    const text = render([device('virtual'), device('hardware')]);
    expect(text).toContain('Your authenticator app is not accepted in this category; enroll a hardware TOTP token or a security key or passkey.');
    expect(text).toContain('1 of 2 enrolled');
  });

  it('says when only certified security keys count, and that a passkey without a certification does not', () => {
    const keys: ProgramCategory = { ...category, allowedDeviceTypes: ['fido'], minDevices: 1, requireCertifiedKey: true };
    const text = render([{ ...device('fido'), certifications: {} }], [keys]);
    expect(text).toContain('Allowed devices Security keys or passkeys, certified ones only (FIDO certified, or FIPS 140-2/140-3');
    expect(text).toContain('To do: No certified security key (FIDO or FIPS 140-2/140-3).');
    expect(render([{ ...device('fido'), certifications: { FIDO: 'L1' } }], [keys])).not.toContain('To do:');
  });

  it('says when there is no category yet, and that any device will do', () => {
    const text = render([], []);
    expect(text).toContain('Category No category yet');
    expect(text).toContain('Deadline No deadline yet');
    expect(text).toContain('Authenticator apps, hardware TOTP tokens and security keys or passkeys');
    expect(text).toContain('One device is enough');
    expect(text).toContain('To do: No MFA device.');
  });

  it('shows an approved exception with its end date and reason, and no deadline', () => {
    const text = render([], [category], { categoryId: null, decision: 'exception', reason: 'Break-glass account', approver: 'ciso@example.com', expiresAt: new Date('2026-06-30T00:00:00Z') });
    expect(text).toContain('Approved exception until 30 Jun 2026: Break-glass account, approved by ciso@example.com.');
    expect(text).toContain('Deadline None (MFA is not required)');
    expect(text).not.toContain('Devices of an allowed type');
    expect(text).toContain('Nothing to do for the program.');
  });

  it('says an expired exception has ended and MFA is now required', () => {
    const text = render([], [category], { categoryId: null, decision: 'exception', reason: 'Migration', approver: null, expiresAt: new Date('2026-02-01T00:00:00Z') });
    expect(text).toContain('The approved exception for this IAM user ended on 1 Feb 2026. MFA is now required.');
    expect(text).toContain('(in 12 days)');
    expect(text).toContain('To do: No MFA device.');
  });

  it('shows out of scope with its reason', () => {
    const text = render([], [category], { categoryId: null, decision: 'out-of-scope', reason: 'To be removed', approver: null, expiresAt: null });
    expect(text).toContain('Out of scope: To be removed. MFA is not required for this IAM user.');
  });

  it('counts down to an overdue deadline and says when the program is met', () => {
    const late = { ...category, deadline: new Date('2026-02-26T12:00:00Z') };
    expect(render([], [late])).toContain('(overdue by 3 days)');
    expect(render([device('hardware', 1), device('fido', 2)], [late])).toContain('Done: this IAM user meets the program.');
  });
});
