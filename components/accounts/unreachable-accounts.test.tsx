import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { UNREACHABLE_REMEDY } from '@/lib/accounts/status';
import { UnreachableAccounts } from './unreachable-accounts';

describe('UnreachableAccounts', () => {
  it('names each unreachable account with its reason, says its users are not counted, and gives the remedy', () => {
    const html = renderToStaticMarkup(
      <UnreachableAccounts
        accounts={[
          { id: '555555555555', label: 'Analytics', reason: 'AccessDenied (AccessDenied)', checkedAt: new Date('2026-12-05T00:30:00Z') },
          { id: '666666666666', label: '666666666666', reason: null, checkedAt: null },
        ]}
      />,
    );
    expect(html).toContain('role="status"');
    expect(html).toContain('2 managed accounts are unreachable');
    expect(html).toContain('<strong>Analytics</strong> <span class="font-mono">555555555555</span>: AccessDenied (AccessDenied) (');
    expect(html).toContain('not counted in the figures or the coverage (not as 0 users)');
    expect(html).toContain(`Remedy: ${UNREACHABLE_REMEDY}`);
    expect(UNREACHABLE_REMEDY).toMatch(/^Deploy the member StackSet to this account or its OU/);
    expect(html.match(/data-testid="unreachable-account"/g)).toHaveLength(2);
  });

  it('says "1 managed account" for one, and renders nothing when every account could be read', () => {
    expect(renderToStaticMarkup(<UnreachableAccounts accounts={[{ id: '555555555555', label: 'Analytics', reason: null, checkedAt: null }]} />)).toContain(
      '1 managed account is unreachable',
    );
    expect(renderToStaticMarkup(<UnreachableAccounts accounts={[]} />)).toBe('');
  });
});
