import { describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES, refuseOversizedBody } from './body-limit';
import nextConfig from '@/next.config';

const post = (length: string | null, method = 'POST') =>
  new Request('http://portal.test/admin/tokens', { method, headers: length === null ? {} : { 'content-length': length, 'next-action': 'abc' } });

describe('request body limit', () => {
  it('refuses a declared body over the limit with a 413 and a clear message', async () => {
    const res = refuseOversizedBody(post(String(2 * 1024 * 1024)));
    expect(res?.status).toBe(413);
    expect(await res?.text()).toContain('larger than 1 MB');
    expect(refuseOversizedBody(post(String(BODY_LIMIT_BYTES + 1)))?.status).toBe(413);
  });

  it('lets a body at the limit, an undeclared length and a GET through', () => {
    expect(refuseOversizedBody(post(String(BODY_LIMIT_BYTES)))).toBeNull();
    expect(refuseOversizedBody(post(null))).toBeNull();
    expect(refuseOversizedBody(post('garbage'))).toBeNull();
    expect(refuseOversizedBody(new Request('http://portal.test/', { headers: { 'content-length': '99999999' } }))).toBeNull();
  });

  it('matches the server-action body size limit Next enforces', () => {
    expect(nextConfig.experimental?.serverActions?.bodySizeLimit).toBe(`${BODY_LIMIT_BYTES / 1024 / 1024}mb`);
  });
});
