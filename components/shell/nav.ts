import type { Role } from '@/lib/auth/types';

export type NavItem = { href: string; label: string; role: Role };

/** Every area of the portal and the role it needs; the shell shows only what the person may use. */
export const navItems: NavItem[] = [
  { href: '/', label: 'My IAM users', role: 'member' },
  { href: '/devices', label: 'My devices', role: 'member' },
  { href: '/admin', label: 'Coverage', role: 'admin' },
  { href: '/admin/users', label: 'IAM users', role: 'admin' },
  { href: '/admin/program', label: 'Program', role: 'admin' },
  { href: '/admin/exceptions', label: 'Exceptions', role: 'admin' },
  { href: '/admin/tokens', label: 'Hardware tokens', role: 'admin' },
  { href: '/admin/reminders', label: 'Reminders', role: 'admin' },
  { href: '/admin/enforcement', label: 'Enforcement', role: 'security' },
  { href: '/admin/report', label: 'Validation report', role: 'admin' },
  { href: '/admin/audit', label: 'Audit log', role: 'admin' },
  { href: '/admin/sessions', label: 'Sessions', role: 'admin' },
  { href: '/admin/system', label: 'Accounts and audit', role: 'admin' },
];

export const visibleNav = (roles: readonly Role[]) => navItems.filter((i) => roles.includes(i.role));
