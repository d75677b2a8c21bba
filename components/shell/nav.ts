import type { Role } from '@/lib/auth/types';

export type NavItem = { href: string; label: string; role: Role };

/** Menu entries (path to label, in menu order) that all need one role. */
const needing = (role: Role, entries: Record<string, string>): NavItem[] => Object.entries(entries).map(([href, label]) => ({ href, label, role }));

/** Every area of the portal and the role it needs, in menu order; the shell shows only what the person may use. */
export const navItems: NavItem[] = [
  ...needing('member', { '/': 'My IAM users', '/devices': 'My devices' }),
  ...needing('admin', { '/admin': 'Coverage', '/admin/campaign': 'Campaign', '/admin/users': 'IAM users', '/admin/program': 'Program', '/admin/exceptions': 'Exceptions', '/admin/requests': 'Requests', '/admin/recovery': 'Lost devices' }),
  ...needing('admin', { '/admin/tokens': 'Hardware tokens', '/admin/reminders': 'Reminders' }),
  ...needing('security', { '/admin/enforcement': 'Enforcement' }),
  ...needing('admin', { '/admin/report': 'Validation report', '/admin/audit': 'Audit log', '/admin/sessions': 'Sessions', '/admin/system': 'Accounts and audit' }),
];

export const visibleNav = (roles: readonly Role[]) => navItems.filter((i) => roles.includes(i.role));
