import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The AWS SDK clients the portal may use; any other @aws-sdk/client-* import in lib/ is reported as `others`. */
export const SDK_CLIENTS = ['iam', 'sts', 'sesv2', 'organizations', 'sqs'] as const;
export type SdkClient = (typeof SDK_CLIENTS)[number];
export type SdkCalls = Record<SdkClient, Set<string>> & { others: Set<string> };

const emptyCalls = (): SdkCalls => ({ iam: new Set(), sts: new Set(), sesv2: new Set(), organizations: new Set(), sqs: new Set(), others: new Set() });

/**
 * The API operations one source file calls, by client: `new XCommand(…)` and `paginateX(…)` (which sends X) where
 * the name is imported from @aws-sdk/client-iam, -sts, -sesv2 or -organizations (aliases followed). A name imported but never
 * called does not count. Namespace imports and require() would hide calls from this scan, so they throw.
 */
export function sdkCallsIn(source: string, file = 'source'): SdkCalls {
  const out = emptyCalls();
  const imported = new Map<string, { client: SdkClient; name: string }>();
  for (const m of source.matchAll(/import\s+(type\s+)?([^'";]*?)\s+from\s*['"]@aws-sdk\/client-([\w-]+)['"]/g)) {
    const [, typeOnly, clause, client] = m as unknown as [string, string | undefined, string, string];
    if (!(SDK_CLIENTS as readonly string[]).includes(client)) {
      out.others.add(client);
      continue;
    }
    if (typeOnly) continue;
    const named = /^\{([^}]*)\}$/.exec(clause.trim());
    if (!named) throw new Error(`${file}: import ${clause} from @aws-sdk/client-${client}: only named imports can be checked`);
    for (const spec of named[1]!.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (spec.startsWith('type ')) continue;
      const [name, local = name] = spec.split(/\s+as\s+/) as [string, string?];
      imported.set(local, { client: client as SdkClient, name });
    }
  }
  if (/require\(\s*['"]@aws-sdk\/client-/.test(source)) throw new Error(`${file}: require() of an AWS SDK client cannot be checked`);
  for (const m of source.matchAll(/\bnew\s+(\w+)\s*\(|\b(paginate\w+)\s*\(/g)) {
    const sdk = imported.get(m[1] ?? m[2]!);
    const operation = sdk && (/^(\w+)Command$/.exec(sdk.name)?.[1] ?? /^paginate(\w+)$/.exec(sdk.name)?.[1]);
    if (operation) out[sdk.client].add(operation);
  }
  return out;
}

/** sdkCallsIn over every non-test .ts/.tsx file under `dir` (but the `except` paths), merged. */
export function sdkCallsUnder(dir: string, except: readonly string[] = []): SdkCalls & { files: string[] } {
  const out = { ...emptyCalls(), files: [] as string[] };
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name) || /\.(test|spec)\.tsx?$/.test(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    if (except.includes(file)) continue;
    const calls = sdkCallsIn(readFileSync(file, 'utf8'), file);
    const keys = [...SDK_CLIENTS, 'others'] as const;
    for (const k of keys) for (const c of calls[k]) out[k].add(c);
    if (keys.some((k) => calls[k].size > 0)) out.files.push(file);
  }
  return out;
}
