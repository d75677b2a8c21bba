import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Chromium must not write into $HOME or reach the network for its own services.
const browserHome = mkdtempSync(path.join(tmpdir(), 'mfa-portal-chromium-'));
process.env.XDG_CONFIG_HOME ??= path.join(browserHome, 'config');
process.env.XDG_CACHE_HOME ??= path.join(browserHome, 'cache');

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: '.test-output/playwright.json' }]],
  outputDir: 'test-results',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    { name: 'chromium', testIgnore: ['**/coverage.spec.ts', '**/tokens.spec.ts', '**/shutdown.spec.ts', '**/log-scan.spec.ts'], use: { ...devices['Desktop Chrome'], channel: undefined } },
    // An inventory run replaces the stored rows, removing those other specs put there for themselves: the specs that
    // run one go after every other spec.
    { name: 'inventory', testMatch: '**/tokens.spec.ts', dependencies: ['chromium'], use: { ...devices['Desktop Chrome'], channel: undefined } },
    // Coverage figures are compared exactly, so these run after every other spec has stopped changing IAM.
    { name: 'coverage', testMatch: '**/coverage.spec.ts', dependencies: ['inventory'], use: { ...devices['Desktop Chrome'], channel: undefined } },
    // A second portal process of its own (no browser), stopped with SIGTERM: independent of every other project.
    { name: 'shutdown', testMatch: '**/shutdown.spec.ts' },
    // Last: the whole run's portal log is scanned for every secret the specs handled (e2e/log-scan.spec.ts). Selecting
    // it runs every project before it in full (filters do not reach dependencies); with --no-deps it scans what ran.
    { name: 'log-scan', testMatch: '**/log-scan.spec.ts', dependencies: ['coverage'] },
  ],
});
