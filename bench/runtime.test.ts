import { describe, expect, it } from 'vitest';
import { imageRuntime, resolveRuntime } from './runtime';

describe('the benchmarks run their children as the container image runs the portal', () => {
  it('takes NODE_OPTIONS and the MALLOC_ tunables from the image, and resolves the heap share against the task', () => {
    const r = resolveRuntime({ NODE_ENV: 'production', PORT: '3000', NODE_OPTIONS: '--max-old-space-size-percentage=50 --enable-source-maps', MALLOC_ARENA_MAX: '2' }, 1024);
    expect(r.env).toEqual({ NODE_OPTIONS: '--max-old-space-size=512 --enable-source-maps', MALLOC_ARENA_MAX: '2' });
    expect(resolveRuntime({ NODE_OPTIONS: '--max-old-space-size-percentage=25%' }, 2048).env.NODE_OPTIONS).toBe('--max-old-space-size=512');
    expect(resolveRuntime({}, 1024).env).toEqual({});
  });

  it("reads the repository's Dockerfile: a heap limit for the default 1 GiB task and glibc's arenas", () => {
    const { env } = imageRuntime();
    expect(env.NODE_OPTIONS).toMatch(/--max-old-space-size=512\b/);
    expect(env.NODE_OPTIONS).toMatch(/--max-semi-space-size=8\b/);
    expect(env.MALLOC_ARENA_MAX).toBe('2');
  });
});
