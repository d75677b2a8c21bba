import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: { alias: { '@': root, 'server-only': fileURLToPath(new URL('./scripts/server-only-stub.mjs', import.meta.url)) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{lib,infra,components,app,scripts,bench}/**/*.test.{ts,tsx}', '*.test.ts'],
          exclude: ['**/*.integration.test.ts', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{lib,infra,app}/**/*.integration.test.ts'],
          environment: 'node',
          globalSetup: ['./infra/local/vitest-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
          // One local stack is shared by every integration file; files run one at a time so that
          // tests which change IAM state do not race each other.
          fileParallelism: false,
        },
      },
    ],
  },
});
