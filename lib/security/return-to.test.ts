import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './return-to';

const ORIGIN = 'http://127.0.0.1:3000';

/** Known open-redirect forms: each would lead a browser off the portal if passed through as given. */
const OFF_SITE = [
  '//evil.example',
  '//evil.example/path',
  '///evil.example',
  '////evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/\t/evil.example/',
  '/\n/evil.example/',
  '/\r/evil.example/',
  '/\r\n/evil.example/',
  '\t//evil.example',
  ' //evil.example',
  '/\t\\evil.example',
  '/.//evil.example',
  '/./\\evil.example',
  '/%2e//evil.example',
  'https://evil.example/',
  'http://evil.example',
  'HTTPS://EVIL.EXAMPLE',
  'https:evil.example',
  'http:\\\\evil.example',
  'https:/\\evil.example',
  '//127.0.0.1:3000@evil.example',
  'http://127.0.0.1:3000@evil.example/',
  'http://user:pass@127.0.0.1:3000/admin',
  'http://127.0.0.1:3000.evil.example/',
  'http://127.0.0.1:3001/',
  'https://127.0.0.1:3000/',
  '//ℯvil.example',
  'https://xn--evl-xra.example/',
  'https://еvil.example/',
  '//evil。example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'blob:http://evil.example/x',
  '\u0000//evil.example',
  'http://[::1]/',
  '',
  'x'.repeat(3000),
];

/** Paths that look odd but resolve on the portal itself: kept, in their parsed (percent-encoded) form. */
const STAYS_HOME: [string, string][] = [
  ['/admin', '/admin'],
  ['/admin?x=1', '/admin?x=1'],
  ['/admin?x=1#top', '/admin?x=1#top'],
  ['http://127.0.0.1:3000/admin', '/admin'],
  ['HTTP://127.0.0.1:3000/admin', '/admin'],
  ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ['/%5Cevil.example', '/%5Cevil.example'],
  ['/%09/evil.example/', '/%09/evil.example/'],
  ['/%0a/evil.example/', '/%0a/evil.example/'],
  ['/admin\n', '/admin'],
  ['/enroll/virtual?user=123456789012/alice smith', '/enroll/virtual?user=123456789012/alice%20smith'],
  ['admin', '/admin'],
  ['?tab=1', '/?tab=1'],
  // Same scheme as the portal without `//`: the URL standard reads these as paths on the base origin.
  ['http:evil.example', '/evil.example'],
  ['http:/evil.example', '/evil.example'],
];

describe('safeReturnTo', () => {
  it(`has a corpus of at least 30 bypass forms (${OFF_SITE.length})`, () => expect(OFF_SITE.length).toBeGreaterThanOrEqual(30));

  it.each(OFF_SITE.map((v) => [JSON.stringify(v).slice(0, 60), v]))('%s goes home', (_label, value) => {
    expect(safeReturnTo(value, ORIGIN)).toBe('/');
  });

  it.each(STAYS_HOME)('%j stays on the portal as %j', (value, out) => {
    expect(safeReturnTo(value, ORIGIN)).toBe(out);
  });

  it('every answer is a same-origin path a browser resolves to the portal, with no control characters', () => {
    for (const value of [...OFF_SITE, ...STAYS_HOME.map(([v]) => v)]) {
      const out = safeReturnTo(value, ORIGIN);
      expect(out).toMatch(/^\/(?![/\\])/);
      expect(out).not.toMatch(/[\u0000-\u001f\u007f\\]/);
      expect(new URL(out, ORIGIN).origin).toBe(ORIGIN);
    }
  });

  it('anything that is not a string goes home', () => {
    for (const value of [undefined, null, 42, ['/admin'], { href: '/admin' }]) expect(safeReturnTo(value, ORIGIN)).toBe('/');
  });
});
