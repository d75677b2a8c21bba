/**
 * Enrollment benchmark: the portal's own server-side time per step (create + QR; enable), beyond the
 * AWS calls it makes, over N enrollments against the local stack. Figures are printed, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateUserCommand } from '@aws-sdk/client-iam';
import { startStack } from '../infra/local/stack';
import { consoleIam } from '../infra/local/console';
import { totpCode } from '../infra/local/totp';
import { median, ms, percentile } from './stats';
import { userArn } from '../lib/iam-identifiers';

const ACCOUNT = '222222222222';

export async function benchEnrollment({ runs = 60 }: { runs?: number } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-bench-'));
  const stack = await startStack({ dataDir, portalUrl: 'http://127.0.0.1:3999', usersPerAccount: 5 });
  try {
    Object.assign(process.env, stack.env, { DATABASE_URL: `pglite:${path.join(dataDir, 'pglite')}` });
    const { iamForAccount } = await import('../lib/aws/clients');
    const { startVirtualEnrollment, completeVirtualEnrollment } = await import('../lib/enrollment/virtual');
    const { getDatabase } = await import('../lib/db/client');
    await getDatabase();

    // Time every AWS call the portal makes through its client for the account.
    let awsMs = 0;
    let awsCalls = 0;
    iamForAccount(ACCOUNT).middlewareStack.add(
      (next) => async (args) => {
        const t = performance.now();
        try {
          return await next(args);
        } finally {
          awsMs += performance.now() - t;
          awsCalls++;
        }
      },
      { step: 'initialize', name: 'benchTiming' },
    );

    const iam = await consoleIam({ motoUrl: stack.motoUrl, accountId: ACCOUNT, groundTruth: stack.groundTruth });
    const users: string[] = [];
    for (let i = 0; i < runs; i++) {
      const userName = `bench-${i}`;
      await iam.send(new CreateUserCommand({ UserName: userName }));
      users.push(userName);
    }
    iam.destroy();

    const create = { total: [] as number[], aws: [] as number[], overhead: [] as number[], calls: [] as number[] };
    const enable = { total: [] as number[], aws: [] as number[], overhead: [] as number[], calls: [] as number[] };
    const measure = async <T>(bucket: typeof create, run: () => Promise<T>): Promise<T> => {
      awsMs = 0;
      awsCalls = 0;
      const t = performance.now();
      const out = await run();
      const total = performance.now() - t;
      bucket.total.push(total);
      bucket.aws.push(awsMs);
      bucket.overhead.push(total - awsMs);
      bucket.calls.push(awsCalls);
      return out;
    };

    for (const userName of users) {
      const principal = { accountId: ACCOUNT, userName, arn: userArn(ACCOUNT, userName) };
      const actor = { id: principal.arn, email: null, name: userName, method: 'aws-keys' as const, roles: ['member' as const], principals: [principal], authTime: Math.floor(Date.now() / 1000) };
      const started = await measure(create, () => startVirtualEnrollment(actor, principal, { deviceName: `${userName}-app` }));
      if (started.status !== 'success') throw new Error(`create failed: ${JSON.stringify(started)}`);
      const secret = started.data.manualKey.replace(/\s/g, '');
      const now = Date.now();
      const { result } = await measure(enable, () =>
        completeVirtualEnrollment(actor, { enrollmentId: started.data.enrollmentId, sealed: started.data.sealed, code1: totpCode(secret, now, -1), code2: totpCode(secret, now, 0) }),
      );
      if (result.status !== 'success') throw new Error(`enable failed: ${JSON.stringify(result)}`);
    }

    const warm = (xs: number[]) => xs.slice(5); // the first few include JIT and connection warm-up
    const row = (name: string, b: typeof create) =>
      `  ${name.padEnd(16)} overhead median ${ms(median(warm(b.overhead))).padStart(9)}  p90 ${ms(percentile(warm(b.overhead), 90)).padStart(9)}   AWS median ${ms(median(warm(b.aws))).padStart(9)} (${median(b.calls)} calls)   total median ${ms(median(warm(b.total)))}`;
    console.log(`\nEnrollment (${runs} virtual enrollments, first 5 excluded as warm-up; target: overhead < 15 ms per step)`);
    console.log(row('create + QR', create));
    console.log(row('enable', enable));
    return { create: median(warm(create.overhead)), enable: median(warm(enable.overhead)) };
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
