// Types for scripts/standalone.mjs (plain JavaScript, so that `node` runs it without a compile step).
export type Copy = { from: string | undefined; chown: string | undefined; src: string; dst: string };
export type Instruction = { op: string; args: string; line: number };
export type Stage = { base: string; name: string; line: number; instructions: Instruction[] };
export type Plan = {
  buildWorkdir: string;
  buildEnv: Record<string, string>;
  buildRuns: string[];
  workdir: string;
  env: Record<string, string>;
  copies: Copy[];
  /** `rm -rf` paths of the runtime stage, removed from the folder before its `mkdir -p` folders are made. */
  remove: string[];
  dirs: string[];
  user: string | undefined;
  expose: string[];
  healthcheck: string[] | undefined;
  cmd: string[];
};
export type Prepared = { dir: string; env: Record<string, string>; cmd: string[]; user: string | undefined; expose: string[]; healthcheck: string[] | undefined };
export type Lock = { packages?: Record<string, { dev?: boolean }> };

export const REQUIRED_FILES: string[];
export const EXCLUDED_PACKAGES: string[];
export function parseDockerfile(text: string): Stage[];
export function parseEnv(args: string): Record<string, string>;
export function planFromDockerfile(text: string): Plan;
export function localSource(plan: Plan, src: string, root?: string): string;
export function localTarget(plan: Plan, dst: string, outDir: string): string;
export function devPackagesIn(dir: string, lock: Lock): string[];
export function checkFolder(dir: string, lock: Lock): string[];
export function prepare(plan: Plan, options: { outDir: string; root?: string; skipBuild?: boolean; log?: (line: string) => void }): Prepared;
export function runtimeEnv(imageEnv: Record<string, string>, callerEnv: Record<string, string | undefined>): Record<string, string | undefined>;
export const DEFAULT_DATABASE_URL: string;
export function localDatabaseUrl(url: string | undefined, cwd: string): string;
export function assertReplaceable(outDir: string, root: string): void;
