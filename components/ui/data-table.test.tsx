import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { DataTable } from './data-table';

const render = (node: React.ReactElement) => renderToStaticMarkup(node);

describe('DataTable', () => {
  it('wraps the table in a labelled region that takes keyboard focus, so it can be scrolled without a mouse', () => {
    const html = render(
      <DataTable label="Audit entries" caption="Audit entries, newest first" columns={['When', 'Who']}>
        <tr>
          <td>today</td>
          <td>carol</td>
        </tr>
      </DataTable>,
    );
    expect(html).toMatch(/^<div class="relative overflow-x-auto[^"]*" tabindex="0" role="region" aria-label="Audit entries \(scrolls sideways\)"><table/);
    expect(html).toContain('<caption class="sr-only">Audit entries, newest first</caption>');
    expect(html).toContain('<th scope="col" class="py-1.5 font-medium pr-3">When</th>');
    expect(html).toContain('<tbody><tr><td>today</td><td>carol</td></tr></tbody>');
  });

  it('frames a table that stands alone, and passes test ids to the table and the body', () => {
    const html = render(
      <DataTable framed label="Users" columns={['User']} tableProps={{ 'data-testid': 'users' }} bodyProps={{ 'data-testid': 'rows' }}>
        {null}
      </DataTable>,
    );
    expect(html).toContain('rounded-xl border border-slate-200 bg-white');
    expect(html).toContain('<thead class="bg-slate-50 text-slate-600 [&amp;_th:first-child]:pl-3">');
    expect(html).toContain('data-testid="users"');
    expect(html).toContain('<tbody data-testid="rows"></tbody>');
    expect(html).not.toContain('<caption');
  });

  it('takes a custom header row (sortable columns) instead of the column labels', () => {
    const html = render(
      <DataTable label="Users" head={<thead><tr><th aria-sort="ascending">User</th></tr></thead>}>
        {null}
      </DataTable>,
    );
    expect(html).toContain('<thead><tr><th aria-sort="ascending">User</th></tr></thead>');
    expect(html.match(/<thead/g)).toHaveLength(1);
  });
});
