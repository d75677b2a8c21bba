/**
 * The one check for every return address (next-auth's `redirect` callback, the sign-in page's callbackUrl, the
 * sign-in form's own navigation). The value is parsed as a URL against the portal's origin exactly as a browser
 * would (tabs and newlines dropped, `\` read as `/`), and kept only if it stays on that origin. What is returned is
 * the parsed, percent-encoded path, never the raw input, so no control character reaches a Location header.
 */
export function safeReturnTo(value: unknown, origin: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 2048) return '/';
  let home: URL;
  let target: URL;
  try {
    home = new URL(origin);
    target = new URL(value, home);
  } catch {
    return '/';
  }
  if (target.origin !== home.origin || target.username || target.password) return '/';
  const path = `${target.pathname}${target.search}${target.hash}`;
  // A path that normalises to `//host` (e.g. `/.//evil`) would be read as another origin by the browser.
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return '/';
  return path;
}
