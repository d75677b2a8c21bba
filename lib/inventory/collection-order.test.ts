import { describe, expect, it } from 'vitest';
import { collectionOrder } from './collection-order';

describe('collectionOrder', () => {
  it('takes the largest accounts first, accounts never read before ahead of all', () => {
    const users = new Map([
      ['111111111111', 20],
      ['222222222222', 9000],
      ['333333333333', 0],
      ['444444444444', 450],
    ]);
    expect(collectionOrder(['111111111111', '222222222222', '333333333333', '444444444444', '555555555555'], users)).toEqual([
      '555555555555',
      '222222222222',
      '444444444444',
      '111111111111',
      '333333333333',
    ]);
  });

  it('keeps the given order between accounts of one size', () => {
    const users = new Map([
      ['111111111111', 100],
      ['222222222222', 100],
      ['333333333333', 100],
    ]);
    expect(collectionOrder(['333333333333', '111111111111', '222222222222'], users)).toEqual(['333333333333', '111111111111', '222222222222']);
    expect(collectionOrder(['666666666666', '777777777777'], new Map())).toEqual(['666666666666', '777777777777']);
  });
});
