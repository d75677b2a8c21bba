/**
 * Every action the audit log can record: the one list that writers are typed against and that the audit
 * page's filter offers. Adding an act means adding its name here first.
 */
export const AUDIT_ACTIONS = [
  // Sign-in
  'auth.sign-in',
  'auth.sign-out',
  /** Access-key sign-in refused before STS: too many failures for the key id or address (once per window). */
  'auth.sign-in.throttled',
  // Server-side sessions (lib/auth/sessions.ts): start, end (sign-out, admin, idle, expiry), re-derived roles.
  'session.start',
  'session.end',
  'session.roles',
  // Member enrollment steps (lib/enrollment); AWS mutations write intent + outcome rows under the step's name.
  'enrollment.virtual.start',
  'enrollment.virtual.codes',
  'enrollment.virtual.complete',
  'enrollment.virtual.cancel',
  'enrollment.hardware',
  'enrollment.fido.start',
  'enrollment.fido.check',
  'enrollment.fido.detected',
  'enrollment.leftover.delete',
  'enrollment.sweep',
  'device.resync',
  'device.remove',
  'device.test-cli',
  'device.test-console',
  'device.deactivate-lost',
  // Inventory and reports
  'inventory.refresh',
  /** A collection's end: succeeded, partial or failed. */
  'inventory.run',
  'inventory.progress',
  'inventory.verify-user',
  'inventory.export',
  /** The campaign's figures downloaded as CSV or JSON (lib/campaign). */
  'campaign.export',
  /** The security team's weekly digest: the scheduled run, and a send-now from the campaign page. */
  'campaign.digest.run',
  'campaign.digest.send-now',
  /** Denials only (define-action): a preview sends and records nothing. */
  'campaign.digest.preview',
  'report.generate',
  'report.export',
  'audit.export',
  // Program
  'program.settings.update',
  'program.category.create',
  'program.category.update',
  'program.category.delete',
  'program.category.reorder',
  'program.category.save',
  'program.category.preview',
  'program.decision.set',
  'program.decision.clear',
  'program.decision.bulk',
  'program.exception.set',
  /** Exception requests (lib/program/exception-requests.ts): asked, approved or rejected by another admin, withdrawn, requester told. */
  'program.exception.request',
  'program.exception.approve',
  'program.exception.reject',
  'program.exception.withdraw',
  'program.exception.notify',
  'program.token.add',
  'program.token.update',
  'program.token.remove',
  'program.token.import',
  'reminders.run',
  'reminders.send-now',
  /** Message templates (lib/program/messages): edited, reset to the default, a test sent to the editor. */
  'messages.template.update',
  'messages.template.reset',
  'messages.template.test-send',
  /** Where escalated reminders go: an owner name's address, an account's contact. */
  'messages.contact.update',
  // Lost or broken device (lib/recovery): report, cancel, decisions, the device's deactivation, notices, settings.
  'recovery.report',
  'recovery.cancel',
  'recovery.approve',
  'recovery.reject',
  'recovery.deactivate',
  'recovery.notify',
  'recovery.settings',
  // Enforcement
  'enforcement.deploy',
  'enforcement.rollback',
  'enforcement.tags.apply',
  // Per-user windows (lib/windows): opening and closing one (AWS steps as intent + outcome), repairing drift, a
  // member's request for more time and an admin's decision on it.
  'window.open',
  'window.close',
  'window.repair',
  'window.request',
  'window.decide',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const known = new Set<string>(AUDIT_ACTIONS);
export const isAuditAction = (value: string): value is AuditAction => known.has(value);

/** `intent` precedes an AWS mutation; the row after it (success or failure) names it. */
export const AUDIT_OUTCOMES = ['intent', 'success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
