import { readFileSync } from 'node:fs';
import { hardwareTokenSchema } from '../infra/local/ground-truth';
import { expect, groundTruth, test } from './fixtures';
import { env } from './support/iam';
import { readSeenSecrets } from './support/seen-secrets';

/**
 * Runs after every other project (playwright.config.ts): the portal's whole output of this run, .test-output/portal.log,
 * must be JSON lines (lib/log), tied to a request or a job, and hold none of the secrets the specs handled.
 */

type Line = { raw: string; entry: Record<string, unknown> | null };

// What `next start` prints before the server (and with it lib/log) has loaded.
const NEXT_BANNER = /^(\s*|\s*▲ Next\.js .*|\s*- (Local|Network|Environments|Experiments).*|\s*[✓·⚠] .*)$/;
/** Terminal colours: Next colours its banner when FORCE_COLOR is set at all (CI sets it to 0, which picocolors reads as on). */
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

function readLog(): Line[] {
  return readFileSync(env('E2E_PORTAL_LOG_FILE'), 'utf8')
    .split('\n')
    .map((raw) => {
      try {
        const entry: unknown = JSON.parse(raw);
        return { raw, entry: typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : null };
      } catch {
        return { raw, entry: null };
      }
    });
}

/** Every secret of the run: what the specs recorded, plus the stack's own (hardware token seeds, IdP passwords, the portal's secrets). */
function secretsOfTheRun() {
  const seen = readSeenSecrets();
  const tokens = hardwareTokenSchema.array().parse(JSON.parse(readFileSync(env('E2E_HARDWARE_TOKENS'), 'utf8')));
  const long = new Set<string>([
    ...seen.filter((s) => s.kind !== 'code').map((s) => s.value),
    ...seen.filter((s) => s.kind === 'seed').map((s) => s.value.toLowerCase()),
    ...tokens.map((t) => t.secretBase32),
    ...groundTruth().people.map((p) => p.password),
    env('E2E_NEXTAUTH_SECRET'),
    env('E2E_CRON_SECRET'),
  ]);
  const codes = new Set(seen.filter((s) => s.kind === 'code').map((s) => s.value));
  return { seen, long: [...long].filter((s) => s.length >= 8), codes };
}

test('the whole run\'s portal log is JSON lines with a request or job id, and holds no secret the specs handled', async () => {
  const lines = readLog().filter((l) => l.raw.trim() !== '');
  const firstJson = lines.findIndex((l) => l.entry !== null);
  expect(firstJson, 'the portal wrote JSON lines').toBeGreaterThanOrEqual(0);

  const banner = lines.slice(0, firstJson).filter((l) => !NEXT_BANNER.test(l.raw.replace(ANSI_COLOUR, '')));
  expect(banner.map((l) => l.raw), 'only Next\'s start-up banner precedes the first JSON line').toEqual([]);
  const notJson = lines.slice(firstJson).filter((l) => l.entry === null);
  expect(notJson.map((l) => l.raw.slice(0, 300)), 'lines that are not JSON').toEqual([]);

  const entries = lines.slice(firstJson).map((l) => l.entry!);
  for (const e of entries) expect(typeof e.time === 'string' && typeof e.level === 'string' && typeof e.msg === 'string', JSON.stringify(e).slice(0, 300)).toBe(true);
  // Our own lines belong to a request (reqId), a background job (jobId) or the process (start-up, the pool); only
  // what Next and libraries print through console may come from outside any of them.
  const unbound = entries.filter((e) => !e.reqId && !e.jobId && e.scope !== 'process' && e.source !== 'console');
  expect(unbound.map((e) => JSON.stringify(e).slice(0, 300)), 'lines with neither a request id nor a job id').toEqual([]);
  const fromRequests = entries.filter((e) => e.msg === 'route' || e.msg === 'action');
  expect(fromRequests.length, 'route and action lines').toBeGreaterThan(0);
  for (const e of fromRequests) expect(e.reqId, JSON.stringify(e)).toEqual(expect.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/));

  const { seen, long, codes } = secretsOfTheRun();
  expect(seen.length, 'secrets recorded by the specs (support/seen-secrets.ts)').toBeGreaterThan(0);
  const text = lines.map((l) => l.raw).join('\n');
  const leaked = long.filter((s) => text.includes(s)).map((s) => `${s.slice(0, 4)}… (${s.length} characters)`);
  // A code is a leak only as a number of its own: not inside a timestamp, an account id or a longer number.
  const digits = new Set(text.match(/(?<!\d)\d{6}(?!\d)/g) ?? []);
  const leakedCodes = [...codes].filter((c) => digits.has(c));
  expect(leaked, 'secrets found in the portal log').toEqual([]);
  expect(leakedCodes.length, 'typed one-time codes found in the portal log as numbers of their own').toBe(0);
});
