import { describe, expect, it } from 'vitest';
import { diffDetail, displayValue, otherDetail } from './diff';

describe('diffDetail', () => {
  it('lists only the fields that changed on an update', () => {
    expect(diffDetail({ before: { name: 'Contractors', deadline: '2025-03-01', active: true }, after: { name: 'Contractors', deadline: '2025-04-01', active: false } })).toEqual([
      { field: 'deadline', before: '2025-03-01', after: '2025-04-01' },
      { field: 'active', before: 'true', after: 'false' },
    ]);
  });

  it('shows nested values as JSON, and ignores key order inside them', () => {
    expect(diffDetail({ before: { reminderDays: [14, 7] }, after: { reminderDays: [14, 7, 1] } })).toEqual([{ field: 'reminderDays', before: '[14,7]', after: '[14,7,1]' }]);
    expect(diffDetail({ before: { rule: { tag: 'Team', value: 'ops' } }, after: { rule: { value: 'ops', tag: 'Team' } } })).toEqual([]);
    expect(diffDetail({ before: { rule: { tag: 'Team' } }, after: { rule: null } })).toEqual([{ field: 'rule', before: '{"tag":"Team"}', after: 'null' }]);
  });

  it('treats a create and a delete as every field appearing or disappearing', () => {
    expect(diffDetail({ before: null, after: { name: 'Contractors', priority: 2 } })).toEqual([
      { field: 'name', before: null, after: 'Contractors' },
      { field: 'priority', before: null, after: '2' },
    ]);
    expect(diffDetail({ before: { name: 'Contractors' }, after: null })).toEqual([{ field: 'name', before: 'Contractors', after: null }]);
  });

  it('tells a field that was added or removed from one set to null', () => {
    expect(diffDetail({ before: { a: 1, gone: 'x' }, after: { a: 1, added: null } })).toEqual([
      { field: 'gone', before: 'x', after: null },
      { field: 'added', before: null, after: 'null' },
    ]);
  });

  it('reports an update that changed nothing as no change', () => {
    expect(diffDetail({ before: { a: 1 }, after: { a: 1 } })).toEqual([]);
    expect(diffDetail({ before: null, after: null })).toEqual([]);
  });

  it('compares whole values when before and after are not objects', () => {
    expect(diffDetail({ before: [7], after: [7, 1] })).toEqual([{ field: 'value', before: '[7]', after: '[7,1]' }]);
    expect(diffDetail({ before: 3, after: 3 })).toEqual([]);
  });

  it('is null for details that do not record a change', () => {
    expect(diffDetail({ method: 'oidc' })).toBeNull();
    expect(diffDetail({ before: { a: 1 } })).toBeNull();
    expect(diffDetail({})).toBeNull();
    expect(diffDetail(null)).toBeNull();
    expect(diffDetail('before')).toBeNull();
  });
});

describe('otherDetail', () => {
  it('lists the detail keys of entries that are not changes', () => {
    expect(otherDetail({ reason: 'InvalidKeys', filters: { outcome: 'failure' }, count: 3 })).toEqual([
      { key: 'reason', value: 'InvalidKeys' },
      { key: 'filters', value: '{"outcome":"failure"}' },
      { key: 'count', value: '3' },
    ]);
  });

  it('leaves out before and after when they are a change, and keeps the rest', () => {
    expect(otherDetail({ before: { a: 1 }, after: { a: 2 }, reason: 'deadline moved' })).toEqual([{ key: 'reason', value: 'deadline moved' }]);
    expect(otherDetail(null)).toEqual([]);
  });
});

describe('displayValue', () => {
  it('shows strings as they are and everything else as JSON', () => {
    expect(displayValue('a "b"')).toBe('a "b"');
    expect(displayValue(0)).toBe('0');
    expect(displayValue(null)).toBe('null');
    expect(displayValue({ b: 1, a: [true] })).toBe('{"a":[true],"b":1}');
  });
});
