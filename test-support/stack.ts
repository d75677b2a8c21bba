import { inject } from 'vitest';
import { readGroundTruth } from '@/infra/local/ground-truth';

/**
 * For integration tests: point the portal's configuration at the local stack started by the global
 * setup. Call before anything reads the configuration (lib/env reads it lazily, on first use).
 */
export async function useLocalStack() {
  const stack = inject('stack');
  Object.assign(process.env, stack.env);
  return { stack, groundTruth: await readGroundTruth(stack.groundTruthFile) };
}
