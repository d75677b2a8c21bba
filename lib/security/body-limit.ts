/**
 * The largest request body the portal accepts (server actions and every other POST). Next enforces
 * `serverActions.bodySizeLimit` itself but answers an oversized body with a 500; the proxy refuses a declared
 * oversized body first with a clear 413. Keep in step with `serverActions.bodySizeLimit` in next.config.ts.
 * The largest legitimate body is a token CSV import (MAX_IMPORT_CHARS, 200,000 characters).
 */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** A 413 for a request whose declared body is larger than BODY_LIMIT_BYTES; null when it may go on. */
export function refuseOversizedBody(request: Request): Response | null {
  if (request.method === 'GET' || request.method === 'HEAD') return null;
  const declared = request.headers.get('content-length');
  if (declared === null || !/^\d+$/.test(declared.trim())) return null;
  if (Number(declared.trim()) <= BODY_LIMIT_BYTES) return null;
  return new Response(`The request is larger than ${BODY_LIMIT_BYTES / 1024 / 1024} MB. Send less at once (split a token import file).\n`, {
    status: 413,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}
