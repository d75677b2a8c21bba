import { describe, expect, it } from 'vitest';
import { requestIdFrom } from './request-id';

describe('request ids', () => {
  it('keeps an incoming short token', () => {
    expect(requestIdFrom(new Headers({ 'x-request-id': 'abc-123_x.y:z' }))).toBe('abc-123_x.y:z');
  });

  it('replaces a missing, long or odd incoming id with a new UUID', () => {
    for (const given of [undefined, '', 'a'.repeat(65), 'has space', 'new\nline', '<script>', 'a=b']) {
      const headers = new Headers(given === undefined ? {} : { 'x-request-id': given.replace('\n', ' ') });
      const id = requestIdFrom(headers);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
