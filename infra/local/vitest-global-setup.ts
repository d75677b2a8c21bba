import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from './stack';

/** What integration tests get from `inject('stack')`. */
export type ProvidedStack = {
  /** The portal's settings for this stack (see stack.ts). */
  env: Record<string, string>;
  groundTruthFile: string;
  /** moto itself: for the console helper (console.ts) and /moto-api only. */
  motoUrl: string;
  /** The proxy in front of moto, as env.AWS_ENDPOINT_URL; fault injection at {awsEndpoint}/_local/faults. */
  awsEndpoint: string;
  hardwareTokensFile: string;
  issuer: string;
};

declare module 'vitest' {
  export interface ProvidedContext {
    stack: ProvidedStack;
  }
}

/** One local stack for the whole integration project; the portal itself is not started. */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'mfa-portal-integration-'));
  const stack = await startStack({ dataDir, portalUrl: 'http://127.0.0.1:3999' }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  project.provide('stack', {
    env: stack.env,
    groundTruthFile: stack.groundTruthFile,
    motoUrl: stack.motoUrl,
    awsEndpoint: stack.awsEndpoint,
    hardwareTokensFile: stack.hardwareTokensFile,
    issuer: stack.issuer,
  });
  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
