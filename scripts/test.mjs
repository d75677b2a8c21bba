#!/usr/bin/env node
/**
 * `npm test`: type-check, lint, unit + integration tests (Vitest, against the local stack and both
 * storage engines), a production build, and the Playwright e2e specs in Debian's Chromium.
 * Every step runs even when an earlier one fails; the last line is the total across all runners.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { MIN_NODE_MAJOR, onSupportedNode } from './node-runtime.mjs';

if (!onSupportedNode()) {
  console.error(`npm test needs Node ${MIN_NODE_MAJOR}+ (this is ${process.version}); run it as \`npm test\`, which provides Node 24 (scripts/run.mjs).`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(`Node ${process.version}`);

const out = '.test-output';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR };
const bin = (name) => `node_modules/.bin/${name}`;
const results = [];

function step(name, cmd, args, count) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const run = spawnSync(cmd, args, { stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const ok = run.status === 0;
  const counted = count?.() ?? { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
  // A runner that crashed before reporting counts as one failure, never as zero tests.
  if (!ok && counted.failed === 0) {
    counted.failed = 1;
    counted.failedNames = [`${name} exited with status ${run.status ?? run.signal} without a failed test (unhandled errors, or a crash): see its output above`];
  }
  results.push({ name, ok, seconds, ...counted });
  console.log(`=== ${name}: ${ok ? 'ok' : 'FAILED'} in ${seconds}s (${counted.passed} passed, ${counted.failed} failed${counted.skipped ? `, ${counted.skipped} skipped` : ''})`);
  return ok;
}

const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);

step('typecheck', bin('tsc'), ['--noEmit']);
step('lint', bin('eslint'), ['.', '--max-warnings=0']);
step('vitest (unit + integration)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}/vitest.json`], () => {
  const r = readJson(`${out}/vitest.json`);
  if (!r) return { passed: 0, failed: 0, skipped: 0 };
  const failedNames = r.testResults.flatMap((file) =>
    file.assertionResults.filter((t) => t.status === 'failed').map((t) => `${file.name.replace(`${process.cwd()}/`, '')} > ${t.fullName}`),
  );
  return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + (r.numTodoTests ?? 0), failedNames };
});
const built = step('next build', bin('next'), ['build']);
if (built) {
  step('playwright e2e', bin('playwright'), ['test'], () => {
    const r = readJson(`${out}/playwright.json`);
    if (!r) return { passed: 0, failed: 0, skipped: 0 };
    const s = r.stats ?? {};
    const failedNames = [];
    const walk = (suite, file) => {
      for (const spec of suite.specs ?? []) {
        if (spec.tests.some((t) => t.status === 'unexpected' || t.status === 'flaky')) failedNames.push(`${file ?? suite.file} > ${spec.title}`);
      }
      for (const child of suite.suites ?? []) walk(child, file ?? suite.file);
    };
    for (const suite of r.suites ?? []) walk(suite);
    return {
      failedNames, passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0), skipped: s.skipped ?? 0 };
  });
} else {
  results.push({ name: 'playwright e2e', ok: false, seconds: '0', passed: 0, failed: 1, skipped: 0 });
  console.log('=== playwright e2e: not run, the build failed');
}

console.log('\nSummary:');
for (const r of results) {
  console.log(`  ${r.ok ? 'ok    ' : 'FAILED'} ${r.name.padEnd(28)} ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''} (${r.seconds}s)`);
  for (const name of r.failedNames ?? []) console.log(`           failed: ${name}`);
}
const total = results.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 });
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
