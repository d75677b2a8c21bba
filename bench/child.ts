/** Benchmark scans in child processes, so that each one's peak memory is its own. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Runs `script` (a bench file) with `args` in a child process; resolves with the JSON of its `RESULT ` line.
 * drizzle-orm is loaded through its CommonJS build, as the server's bundle has it (bench/drizzle-cjs.mjs: its ES
 * modules leave ~100 MB of RSS behind under Node 24); BENCH_DRIZZLE=esm loads it as ES modules, as before.
 */
export function runBenchChild<T>(script: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): Promise<T> {
  const tsx = path.join(process.cwd(), 'node_modules/tsx/dist/cli.mjs');
  const drizzleCjs = process.env.BENCH_DRIZZLE === 'esm' ? [] : ['--import', pathToFileURL(path.join(process.cwd(), 'bench/drizzle-cjs.mjs')).href];
  return new Promise((resolve, reject) => {
    // tsx runs the script in a process of its own, which inherits NODE_OPTIONS but not tsx's own node flags.
    const nodeOptions = [env.NODE_OPTIONS ?? process.env.NODE_OPTIONS, ...nodeFlags].filter(Boolean).join(' ');
    const child = spawn(process.execPath, [tsx, '--conditions=react-server', ...drizzleCjs, script, ...args], {
      env: { ...process.env, ...env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`bench child ${path.basename(script)} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)) as T);
    });
  });
}

const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

/**
 * In a child: process.memoryUsage() sampled every 50 ms until `stop()`, which gives the peaks in MB.
 * BENCH_HEAP_SNAPSHOT_MB=n: once heap used first crosses n MB, a heap snapshot (live objects only: V8 collects
 * first) is written to the working directory, for a profile of what the collection holds near its peak. Writing
 * it pauses the child for seconds: a probe, not a timed run.
 */
export function sampleMemory() {
  let peakRss = 0;
  let peakHeap = 0;
  let atPeak = { heapTotal: 0, external: 0, malloced: 0 };
  let snapshotAt = Number(process.env.BENCH_HEAP_SNAPSHOT_MB ?? 0) * 2 ** 20;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) atPeak = { heapTotal: m.heapTotal, external: m.external, malloced: getHeapStatistics().malloced_memory };
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    if (snapshotAt > 0 && m.heapUsed > snapshotAt) {
      snapshotAt = 0;
      const file = writeHeapSnapshot();
      console.error(`heap snapshot at ${mb(m.heapUsed)} MB heap used, RSS ${mb(m.rss)} MB: ${file}`);
    }
  };
  const sampler = setInterval(sample, 50);
  // BENCH_ALLOC_PROFILE=file: V8's sampling heap profiler over the whole collection, garbage included (every
  // allocation site, not only what survives), written as a .heapprofile: where the short-lived memory comes from.
  const allocFile = process.env.BENCH_ALLOC_PROFILE;
  const profiler = allocFile ? new Session() : null;
  if (profiler) {
    profiler.connect();
    void profiler.post('HeapProfiler.startSampling', { samplingInterval: 65_536, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  // After each full (mark-compact) collection, heap used is about the live data: its largest value is what the
  // collection really holds, whatever V8 let the heap grow to between collections.
  let markCompacts = 0;
  let maxLive = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        markCompacts++;
        maxLive = Math.max(maxLive, process.memoryUsage().heapUsed);
      }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    sample,
    rssMb: () => mb(process.memoryUsage().rss),
    async stop() {
      sample();
      if (profiler && allocFile) {
        const { profile } = await profiler.post('HeapProfiler.stopSampling');
        writeFileSync(allocFile, JSON.stringify(profile));
        profiler.disconnect();
      }
      clearInterval(sampler);
      gc.disconnect();
      // At the RSS peak: the V8 heap's size, buffers outside it, and V8's own malloc (compiler zones and the like);
      // with the largest that malloc was: what the peak is made of.
      return { peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap), heapTotalAtPeakMb: mb(atPeak.heapTotal), externalAtPeakMb: mb(atPeak.external), mallocedAtPeakMb: mb(atPeak.malloced), peakMallocedMb: mb(getHeapStatistics().peak_malloced_memory), markCompacts, maxLiveMb: mb(maxLive) };
    },
  };
}

/** In a child: the result line runBenchChild reads, and the total of the call counts. */
export function printResult(result: Record<string, unknown>): void {
  console.log(`RESULT ${JSON.stringify(result)}`);
}

export const totalCalls = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
