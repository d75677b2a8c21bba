import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, routeConsoleToLog } from './index';
import { setLogActor, withJobContext, withLogContext } from './context';
import { CENSOR } from './redact';

function capture(level: 'info' | 'warn' | 'debug' = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level, destination });
  return { logger, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const seed = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('the logger', () => {
  it('writes one JSON object per line with time, level name and message', () => {
    const { logger, entries } = capture();
    logger.info({ accountId: '222222222222' }, 'inventory done');
    const [entry] = entries();
    expect(entry).toMatchObject({ level: 'info', msg: 'inventory done', accountId: '222222222222' });
    expect(new Date(entry!.time as string).toISOString()).toBe(entry!.time);
  });

  it('drops lines below the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('not written');
    logger.warn('written');
    expect(lines).toHaveLength(1);
  });

  it('adds the request id and the actor inside a request context, across awaits', async () => {
    const { logger, entries } = capture();
    await withLogContext({ reqId: 'req-1' }, async () => {
      logger.info('before sign-in is known');
      await Promise.resolve();
      setLogActor('alice@example.com');
      logger.info('after');
    });
    logger.info('outside');
    expect(entries().map((e) => [e.reqId, e.actor])).toEqual([
      ['req-1', undefined],
      ['req-1', 'alice@example.com'],
      [undefined, undefined],
    ]);
  });

  it('adds a job and job id inside a background job instead of the request id', async () => {
    const { logger, entries } = capture();
    await withLogContext({ reqId: 'req-2' }, () => withJobContext('inventory', async () => logger.info('collecting'), 'inventory-run-7'));
    expect(entries()[0]).toMatchObject({ job: 'inventory', jobId: 'inventory-run-7' });
    expect(entries()[0]).not.toHaveProperty('reqId');
  });

  it('censors secret keys (redact paths) and secret-looking values in messages, fields and errors', () => {
    const { logger, lines } = capture();
    logger.info({ secretAccessKey: 'abc', code1: '123456', headers: { authorization: 'Bearer x', cookie: 'next-auth.session-token=y' } }, 'sign-in');
    logger.info(`the seed is ${seed}`);
    logger.info('%s was typed', `code2=654321`);
    logger.error({ err: new Error(`enrollment failed for seed ${seed}`) });
    logger.error(new Error(`bad ${seed}`));
    const all = lines.join('\n');
    for (const secret of ['abc"', '123456', 'Bearer x', 'session-token=y', seed, '654321']) expect(all).not.toContain(secret);
    expect(all).toContain(CENSOR);
    expect(lines).toHaveLength(5);
  });

  it('routes console output through the logger as JSON, censored', () => {
    const { logger, entries } = capture();
    const target = { log() {}, info() {}, warn() {}, error() {}, debug() {} } as Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'>;
    routeConsoleToLog(logger, target);
    target.error('⨯ failed:', new Error(`boom ${seed}`));
    target.warn('careful', { n: 1 });
    const [error, warn] = entries();
    expect(error).toMatchObject({ level: 'error', source: 'console', msg: '⨯ failed:' });
    expect(JSON.stringify(error)).not.toContain(seed);
    expect(warn).toMatchObject({ level: 'warn', msg: 'careful { n: 1 }' });
  });
});
