import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

// The dependency direction of DESIGN.md ("Architecture"), kept by the linter. The messages are exported so that
// eslint.boundaries.test.ts can check that each rule reports a deliberate violation with its own words.
export const BOUNDARY_MESSAGES = {
  libImportsApp: 'lib/ never imports app/: move the shared code into lib/ and import it from the route instead.',
  libImportsComponents: 'lib/ never imports components/: lib/ is everything that is not UI; return data and let the component render it.',
  componentsImportApp: 'components/ holds UI only and never imports app/: pass the server action in as a prop from the page, or move a single-route form next to its route.',
  sdkOutsideLibAws: 'Only lib/aws talks to the AWS SDK: add or use an adapter in lib/aws that returns our own types.',
  processEnv: 'Only lib/env.ts reads process.env: add the setting to its zod schema and read it with getEnv().',
  managedAccounts: 'Only lib/accounts reads MFA_ACCOUNTS: use listManagedAccounts(), isManagedAccount() or accountLabels() from lib/accounts/registry (the accounts may come from AWS Organizations).',
};

const TS = '**/*.{ts,tsx,mts,cts,js,jsx,mjs}';
const TESTS = ['**/*.test.ts', '**/*.test.tsx'];

// `@/app/...`, `@/components/...` and relative paths that climb into them (`../../app/...`).
const intoFolder = (folder, message) => ({ regex: `^(@/|(\\.\\./)+)${folder}(/|$)`, message });
const noApp = (message) => intoFolder('app', message);
const noSdk = { group: ['@aws-sdk/*'], message: BOUNDARY_MESSAGES.sdkOutsideLibAws };
const noEnvImport = [
  { name: 'process', importNames: ['env'], message: BOUNDARY_MESSAGES.processEnv },
  { name: 'node:process', importNames: ['env'], message: BOUNDARY_MESSAGES.processEnv },
];
// One block per area, each naming every import restriction of that area: a later block's options for the same rule
// replace an earlier block's, they do not add up.
const restrictImports = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { paths: noEnvImport, patterns }] },
});
const libLayering = [noApp(BOUNDARY_MESSAGES.libImportsApp), intoFolder('components', BOUNDARY_MESSAGES.libImportsComponents)];
// The app's own code: routes, UI, lib, and the root files Next loads (the proxy, the instrumentation hooks).
const APP_ROOT_FILES = ['proxy.ts', 'instrumentation.ts', 'instrumentation-node.ts'];

const config = [
  ...nextVitals,
  ...nextTs,
  {
    // Playwright fixtures receive a function named `use`; it is not React's hook.
    files: ['e2e/**/*.ts'],
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
  // The SDK is imported only in lib/aws. Tests, test-support/, e2e/, infra/, bench/ and scripts/ are not covered:
  // they talk to the local stack (moto, the fidelity proxy) directly, as an outsider would, to arrange and to check
  // what the portal did.
  restrictImports([`lib/${TS}`], [...libLayering, noSdk], ['lib/aws/**', ...TESTS]),
  restrictImports([`lib/aws/${TS}`, 'lib/**/*.test.ts', 'lib/**/*.test.tsx'], libLayering),
  restrictImports([`components/${TS}`], [noApp(BOUNDARY_MESSAGES.componentsImportApp), noSdk], TESTS),
  restrictImports(['components/**/*.test.ts', 'components/**/*.test.tsx'], [noApp(BOUNDARY_MESSAGES.componentsImportApp)]),
  restrictImports([`app/${TS}`, ...APP_ROOT_FILES], [noSdk], TESTS),
  restrictImports(['app/**/*.test.ts', 'app/**/*.test.tsx'], []),
  {
    // Configuration is read in one place. Outside the app (e2e/, infra/, bench/, scripts/, test-support/ and the
    // tool configs at the root) process.env is how a launcher hands settings to the processes it starts: not covered.
    files: [`app/${TS}`, `lib/${TS}`, `components/${TS}`, ...APP_ROOT_FILES],
    ignores: ['lib/env.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: BOUNDARY_MESSAGES.processEnv }],
    },
  },
  {
    // Which accounts are managed is decided in lib/accounts/registry.ts (the static list or Organizations discovery).
    files: [`app/${TS}`, `lib/${TS}`, `components/${TS}`, ...APP_ROOT_FILES],
    ignores: ['lib/env.ts', 'lib/env-fields.ts', 'lib/accounts/**', ...TESTS],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...["MemberExpression[property.name='MFA_ACCOUNTS']", "MemberExpression[property.value='MFA_ACCOUNTS']", "ObjectPattern > Property[key.name='MFA_ACCOUNTS']"].map(
          (selector) => ({ selector, message: BOUNDARY_MESSAGES.managedAccounts }),
        ),
      ],
    },
  },
  {
    ignores: ['.next/**', 'node_modules/**', '.venv/**', '.data/**', '.standalone/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**', 'lib/db/migrations/**', 'infra/aws/cdk.out/**'],
  },
];
export default config;
