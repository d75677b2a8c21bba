import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { readGroundTruth } from '@/infra/local/ground-truth';
import { setTestEnv } from './env';

/**
 * For integration tests: point the portal's configuration at the local stack started by the global
 * setup, with a fresh embedded database. Call before anything reads the configuration (lib/env reads
 * it lazily, on first use).
 */
export async function useLocalStack() {
  const stack = inject('stack');
  setTestEnv({ ...stack.env, DATABASE_URL: `pglite:${mkdtempSync(path.join(tmpdir(), 'mfa-portal-it-'))}` });
  return { stack, groundTruth: await readGroundTruth(stack.groundTruthFile) };
}
