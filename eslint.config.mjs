import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const config = [
  ...nextVitals,
  ...nextTs,
  {
    // Playwright fixtures receive a function named `use`; it is not React's hook.
    files: ['e2e/**/*.ts'],
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
  {
    ignores: ['.next/**', 'node_modules/**', '.venv/**', '.data/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**', 'lib/db/migrations/**', 'infra/aws/cdk.out/**'],
  },
];
export default config;
