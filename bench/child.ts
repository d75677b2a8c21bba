/** Benchmark scans in child processes, so that each one's peak memory is its own. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Runs `script` (a bench file) with `args` in a child process; resolves with the JSON of its `RESULT ` line.
 * drizzle-orm is loaded through its CommonJS build, as the server's bundle has it (bench/drizzle-cjs.mjs: its ES
 * modules leave ~100 MB of RSS behind under Node 24); BENCH_DRIZZLE=esm loads it as ES modules, as before.
 */
export function runBenchChild<T>(script: string, args: string[], env: Record<string, string>): Promise<T> {
  const tsx = path.join(process.cwd(), 'node_modules/tsx/dist/cli.mjs');
  const drizzleCjs = process.env.BENCH_DRIZZLE === 'esm' ? [] : ['--import', pathToFileURL(path.join(process.cwd(), 'bench/drizzle-cjs.mjs')).href];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, '--conditions=react-server', ...drizzleCjs, script, ...args], {
      env: { ...process.env, ...env },
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

/** In a child: process.memoryUsage() sampled every 50 ms until `stop()`, which gives the peaks in MB. */
export function sampleMemory() {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 50);
  return {
    sample,
    rssMb: () => mb(process.memoryUsage().rss),
    stop() {
      sample();
      clearInterval(sampler);
      return { peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap) };
    },
  };
}

/** In a child: the result line runBenchChild reads, and the total of the call counts. */
export function printResult(result: Record<string, unknown>): void {
  console.log(`RESULT ${JSON.stringify(result)}`);
}

export const totalCalls = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
