#!/usr/bin/env node
/**
 * The project runs on Node >= 22 (24 LTS in CI). Machines that only have an older Node get Node 24 from the npm
 * registry, installed once into .tools/. `supportedNodeEnv()` returns an environment whose PATH starts with that
 * Node's folder, so every child (npm, next, tsx, vitest workers, playwright's webServer) runs on it.
 *
 * This file must itself run on Node 20: it is what gets a Node 20 machine onto 24.
 *
 * CLI: `node scripts/node-runtime.mjs` installs Node 24 if needed and prints the folder to put first on PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIN_NODE_MAJOR = 22;
const NODE_PACKAGE_VERSION = '24';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = path.join(root, '.tools');
const packageName = `node-${process.platform}-${process.arch}`;
const toolsBin = path.join(toolsDir, 'node_modules', packageName, 'bin');

const majorOf = (version) => Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);

function versionOf(nodePath) {
  const run = spawnSync(nodePath, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : '';
}

/** The folder holding a Node >= MIN_NODE_MAJOR: the running one if new enough, otherwise .tools (installed on first use). */
export function supportedNodeBin() {
  if (majorOf(process.version) >= MIN_NODE_MAJOR) return path.dirname(process.execPath);
  const node = path.join(toolsBin, 'node');
  if (existsSync(node) && majorOf(versionOf(node)) >= MIN_NODE_MAJOR) return toolsBin;
  console.error(`node-runtime: Node ${process.version} is too old; installing ${packageName}@${NODE_PACKAGE_VERSION} into .tools/ (once)`);
  const install = spawnSync(
    'npm',
    ['install', '--prefix', toolsDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `${packageName}@${NODE_PACKAGE_VERSION}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const version = existsSync(node) ? versionOf(node) : '';
  if (install.status !== 0 || majorOf(version) < MIN_NODE_MAJOR) {
    throw new Error(`node-runtime: could not install ${packageName}@${NODE_PACKAGE_VERSION} into .tools/ (npm exit ${install.status}); install Node ${MIN_NODE_MAJOR}+ yourself`);
  }
  console.error(`node-runtime: using Node ${version} from .tools/`);
  return toolsBin;
}

/** `env` with the supported Node's folder first on PATH. */
export function supportedNodeEnv(env = process.env) {
  const bin = supportedNodeBin();
  const rest = (env.PATH ?? '').split(path.delimiter).filter((dir) => dir && dir !== bin);
  return { ...env, PATH: [bin, ...rest].join(path.delimiter) };
}

/** True when this process is already on a supported Node. */
export const onSupportedNode = () => majorOf(process.version) >= MIN_NODE_MAJOR;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(supportedNodeBin());
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
