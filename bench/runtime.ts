/**
 * The process settings the container image runs the portal with (the Dockerfile's runtime ENV: NODE_OPTIONS and
 * glibc's MALLOC_* tunables), as a task of the hosting stack's default size gets them, so that a benchmark's child
 * process measures memory as production runs. On this machine Node would size its heap from all the machine's memory;
 * in a task, `--max-old-space-size-percentage` is a share of the task's memory (its cgroup limit), so it is resolved
 * here to the `--max-old-space-size` that share of DEFAULT_TASK_MEMORY_MIB gives.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { planFromDockerfile } from '../scripts/standalone.mjs';
import { DEFAULT_TASK_MEMORY_MIB } from '../infra/aws/lib/hosting-config';

export type Runtime = { env: Record<string, string>; description: string };

/** Only the process-level tuning of the image's ENV (not NODE_ENV, PORT and the like). */
const TUNING = /^(NODE_OPTIONS|MALLOC_[A-Z_]+)$/;

export function resolveRuntime(imageEnv: Record<string, string>, memoryMiB: number): Runtime {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(imageEnv)) if (TUNING.test(key)) env[key] = value;
  if (env.NODE_OPTIONS)
    env.NODE_OPTIONS = env.NODE_OPTIONS.replace(/--max-old-space-size-percentage=(\d+(?:\.\d+)?)%?/, (_, share: string) => `--max-old-space-size=${Math.floor((memoryMiB * Number(share)) / 100)}`);
  const description = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)';
  return { env, description: `${description} (the image's settings in a ${memoryMiB} MiB task)` };
}

/** The repository's Dockerfile's runtime tuning in a task of `memoryMiB` (default: the hosting stack's default). */
export function imageRuntime(memoryMiB = DEFAULT_TASK_MEMORY_MIB): Runtime {
  const plan = planFromDockerfile(readFileSync(path.join(process.cwd(), 'Dockerfile'), 'utf8'));
  return resolveRuntime(plan.env, memoryMiB);
}
