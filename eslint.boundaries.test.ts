import { beforeAll, describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { BOUNDARY_MESSAGES } from './eslint.config.mjs';

// The dependency rules of eslint.config.mjs, each shown to fail a deliberate violation at a realistic path with its
// own message, and to let the compliant version of the same file through.
const root = fileURLToPath(new URL('.', import.meta.url));
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
}, 60_000);

async function lint(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return result!.messages.filter((m) => m.ruleId?.startsWith('no-restricted-'));
}
// ESLint's report drops a message's final full stop.
const reported = (message: string) => expect.objectContaining({ message: expect.stringContaining(message.replace(/\.$/, '')) });

/** A module that imports one name from `from` and uses it. */
const importing = (from: string, name = 'x') => `import { ${name} } from '${from}';\nexport const a = ${name};\n`;

/** Per rule: deliberate violations, each at a realistic path. */
const violations: Record<keyof typeof BOUNDARY_MESSAGES, [filePath: string, code: string][]> = {
  libImportsApp: [
    ['lib/inventory/example.ts', importing('@/app/(portal)/admin/actions')],
    ['lib/auth/example.ts', importing('../../app/api/auth/[...nextauth]/route', 'POST')],
    ['lib/auth/example.integration.test.ts', importing('@/app/api/auth/[...nextauth]/route', 'POST')],
  ],
  libImportsComponents: [
    ['lib/enrollment/example.ts', importing('@/components/ui/button', 'Button')],
    ['lib/example.ts', importing('../components/ui/button', 'Button')],
  ],
  componentsImportApp: [['components/coverage/example.tsx', importing('@/app/(portal)/admin/report/actions')]],
  sdkOutsideLibAws: [
    ['lib/inventory/example.ts', importing('@aws-sdk/client-iam', 'IAMClient')],
    ['app/api/example/route.ts', importing('@aws-sdk/client-sts', 'STSClient')],
    ['components/ui/example.tsx', "import type { MFADevice } from '@aws-sdk/client-iam';\nexport type A = MFADevice;\n"],
    ['proxy.ts', importing('@aws-sdk/client-sts', 'STSClient')],
  ],
  processEnv: [
    ['lib/aws/example.ts', 'export const region = process.env.AWS_REGION;\n'],
    ['app/api/example/route.ts', 'const { env } = process;\nexport const a = env;\n'],
    ['components/ui/example.tsx', importing('node:process', 'env')],
  ],
  managedAccounts: [
    ['lib/inventory/example.ts', "import { getEnv } from '@/lib/env';\nexport const ids = getEnv().MFA_ACCOUNTS.map((a) => a.id);\n"],
    ['app/(portal)/admin/example/page.tsx', "import { getEnv } from '@/lib/env';\nconst env = getEnv();\nexport const a = env.MFA_ACCOUNTS;\n"],
    ['components/enrollment/example.tsx', "import { getEnv } from '@/lib/env';\nexport const { MFA_ACCOUNTS: a } = getEnv();\n"],
    ['lib/program/example.ts', "import { getEnv } from '@/lib/env';\nexport const a = getEnv()['MFA_ACCOUNTS'];\n"],
  ],
};

describe('lint boundaries', () => {
  for (const [rule, cases] of Object.entries(violations) as [keyof typeof BOUNDARY_MESSAGES, [string, string][]][]) {
    for (const [filePath, code] of cases) {
      it(`reports ${rule} in ${filePath} with the rule's message`, async () => {
        expect(await lint(filePath, code)).toEqual([reported(BOUNDARY_MESSAGES[rule])]);
      });
    }
  }

  it('lets compliant files through: lib/aws with the SDK, lib/env.ts with process.env, a component and a route using lib', async () => {
    expect(await lint('lib/aws/example.ts', "import { IAMClient } from '@aws-sdk/client-iam';\nimport { getEnv } from '@/lib/env';\nexport const a = [IAMClient, getEnv];\n")).toEqual([]);
    expect(await lint('lib/env.ts', 'export const raw = process.env;\n')).toEqual([]);
    expect(await lint('lib/accounts/registry.ts', "import { getEnv } from '@/lib/env';\nexport const a = getEnv().MFA_ACCOUNTS;\n")).toEqual([]);
    expect(await lint('components/coverage/example.tsx', "import { formatDate } from '@/lib/format';\nimport { Button } from '@/components/ui/button';\nexport const a = [formatDate, Button];\n")).toEqual([]);
    expect(await lint('app/(portal)/admin/example/page.tsx', "import { Button } from '@/components/ui/button';\nimport { getEnv } from '@/lib/env';\nimport { x } from './actions';\nexport const a = [Button, getEnv, x];\n")).toEqual([]);
  });

  it('leaves outsiders alone: tests, e2e/ and infra/ talk to the local stack with the SDK and read process.env', async () => {
    expect(await lint('lib/enrollment/example.integration.test.ts', "import { IAMClient } from '@aws-sdk/client-iam';\nexport const a = IAMClient;\n")).toEqual([]);
    expect(await lint('e2e/support/example.ts', "import { IAMClient } from '@aws-sdk/client-iam';\nexport const a = [IAMClient, process.env.PORT];\n")).toEqual([]);
    expect(await lint('infra/local/example.ts', "import { IAMClient } from '@aws-sdk/client-iam';\nexport const a = [IAMClient, process.env.PORT];\n")).toEqual([]);
  });
});
