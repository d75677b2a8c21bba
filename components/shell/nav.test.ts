import { describe, expect, it } from 'vitest';
import { navItems, visibleNav } from './nav';

describe('the portal menu', () => {
  it('lists every area once, in menu order, with the role it needs', () => {
    expect(navItems.map((i) => `${i.href} ${i.role}`)).toEqual([
      '/ member',
      '/devices member',
      '/admin admin',
      '/admin/campaign admin',
      '/admin/users admin',
      '/admin/program admin',
      '/admin/exceptions admin',
      '/admin/requests admin',
      '/admin/recovery admin',
      '/admin/tokens admin',
      '/admin/reminders admin',
      '/admin/enforcement security',
      '/admin/report admin',
      '/admin/audit admin',
      '/admin/sessions admin',
      '/admin/system admin',
    ]);
  });

  it('shows a person only the areas of their roles', () => {
    expect(visibleNav(['member']).map((i) => i.label)).toEqual(['My IAM users', 'My devices']);
    expect(visibleNav(['member', 'security']).map((i) => i.label)).toEqual(['My IAM users', 'My devices', 'Enforcement']);
  });
});
