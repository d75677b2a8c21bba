/**
 * @cloud-copilot/iam-simulate, the IAM policy simulator policy.truth-table.test.ts runs, is AGPL-3.0: a devDependency
 * for tests only. These fail if shipped code imports it or package.json lists it as a runtime dependency.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('the simulator stays out of shipped code (AGPL-3.0)', () => {
  const thisFile = fileURLToPath(import.meta.url);
  const root = path.resolve(path.dirname(thisFile), '../..');
  const NAMES = ['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-policy', '@cloud-copilot/iam-utils'];
  const SKIP_DIRS = new Set(['node_modules', '.next', 'cdk.out']);
  const isTest = (file: string) => /\.test\.tsx?$/.test(file);
  const mentions = (text: string) => NAMES.filter((n) => text.includes(n));

  function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return SKIP_DIRS.has(e.name) || e.name.startsWith('.') ? [] : sourceFiles(p);
      return /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(e.name) ? [p] : [];
    });
  }

  it('only test files mention it', () => {
    const topLevel = readdirSync(root).filter((f) => f === 'proxy.ts' || /^instrumentation.*\.ts$/.test(f) || /^next\.config\./.test(f));
    expect(topLevel).toEqual(expect.arrayContaining(['proxy.ts', 'instrumentation.ts']));
    const files = [
      ...['app', 'lib', 'components', 'infra'].flatMap((d) => (statSync(path.join(root, d), { throwIfNoEntry: false })?.isDirectory() ? sourceFiles(path.join(root, d)) : [])),
      ...topLevel.map((f) => path.join(root, f)),
    ];
    expect(files.length).toBeGreaterThan(50);
    // The scan can see it: this file names it.
    expect(mentions(readFileSync(thisFile, 'utf8'))).toContain('@cloud-copilot/iam-simulate');
    const offenders = files.filter((f) => !isTest(f) && mentions(readFileSync(f, 'utf8')).length > 0).map((f) => path.relative(root, f));
    expect(offenders, 'shipped code must not import the AGPL simulator').toEqual([]);
  });

  it('is a devDependency only, and so is everything it pulls in', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(pkg.devDependencies?.['@cloud-copilot/iam-simulate']).toBeDefined();
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'])
      for (const name of NAMES) expect(pkg[field]?.[name], `${name} in ${field}`).toBeUndefined();
    // npm marks a package "dev" only when nothing but devDependencies reaches it.
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const simulatorPackages = Object.entries(lock.packages).filter(([p]) => NAMES.some((n) => p.endsWith(`node_modules/${n}`)));
    expect(simulatorPackages.length).toBeGreaterThanOrEqual(NAMES.length);
    for (const [p, entry] of simulatorPackages) expect(entry.dev, p).toBe(true);
  });
});
