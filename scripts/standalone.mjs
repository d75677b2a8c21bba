#!/usr/bin/env node
/**
 * `npm run standalone [-- --skip-build] [--out DIR] [--json]`: the Dockerfile's build and run steps without a container
 * engine. It reads the Dockerfile, so the two cannot drift:
 * - the build stage's RUN commands (`next build`) run here, with its ENV (skipped with --skip-build, which reuses the
 *   existing .next build); its COPY lines need no doing: the sources and node_modules are already in place (the deps
 *   stage's `npm ci` is your own `npm install`);
 * - the runtime stage's `COPY --from=build` lines copy from this checkout (the build stage's WORKDIR is its root) into
 *   DIR (the runtime WORKDIR; default .standalone/), its `RUN mkdir -p` lines create the folders (chown is the
 *   container's business: here the files already belong to you), and its ENV, USER, EXPOSE, HEALTHCHECK and CMD make
 *   the printed start command. Any other instruction in the runtime stage stops the script: teach it here first.
 * Then it checks the folder holds what the server needs at run time and no devDependency (package-lock.json's "dev"),
 * and prints the start command, or with --start runs it (`npm start`, `npm run demo`), your environment over the
 * image's ENV (--host ADDRESS: listen there instead of the image's HOSTNAME).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Files the server reads at run time that tracing or the copies could miss (checked after the copies). */
export const REQUIRED_FILES = [
  'server.js',
  '.next/BUILD_ID',
  '.next/static',
  'lib/db/migrations/meta/_journal.json',
  'node_modules/@electric-sql/pglite/dist/pglite.wasm',
  'node_modules/@electric-sql/pglite/dist/pglite.data',
];

/** Packages that must not ship: sharp and its libvips build (LGPL) serve only the image optimiser, which is off. */
export const EXCLUDED_PACKAGES = ['sharp', '@img'];

/** Dockerfile text -> stages of instructions (continuation lines joined, comments and blank lines dropped). */
export function parseDockerfile(text) {
  const stages = [];
  let pending = '';
  let startLine = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (!pending) startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full);
    const op = match[1].toUpperCase();
    const args = match[2];
    if (op === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${startLine}: cannot read FROM ${args}`);
      stages.push({ base: from[1], name: from[2] ?? String(stages.length), line: startLine, instructions: [] });
      return;
    }
    if (stages.length === 0) throw new Error(`Dockerfile line ${startLine}: ${op} before the first FROM`);
    stages.at(-1).instructions.push({ op, args, line: startLine });
  });
  if (pending) throw new Error('Dockerfile: the last line ends with a continuation');
  return stages;
}

/** `K=V K2="V 2"` (or the legacy `K V`) -> entries. */
export function parseEnv(args) {
  const pairs = [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)];
  if (pairs.length === 0) {
    const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/.exec(args);
    if (!legacy) throw new Error(`cannot read ENV ${args}`);
    return { [legacy[1]]: legacy[2] };
  }
  return Object.fromEntries(pairs.map(([, key, value]) => [key, value.replace(/^(["'])(.*)\1$/, '$2').replace(/\\(.)/g, '$1')]));
}

function parseExecForm(op, args) {
  let value;
  try {
    value = JSON.parse(args);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((part) => typeof part === 'string')) {
    throw new Error(`${op} must use the exec form (a JSON array of strings): ${args}`);
  }
  return value;
}

function parseCopy(args) {
  const words = args.split(/\s+/);
  const flags = Object.fromEntries(words.filter((w) => w.startsWith('--')).map((w) => w.slice(2).split('=')));
  const paths = words.filter((w) => !w.startsWith('--'));
  if (paths.length !== 2) throw new Error(`COPY takes one source and one destination here: ${args}`);
  const unknown = Object.keys(flags).filter((flag) => flag !== 'from' && flag !== 'chown');
  if (unknown.length > 0) throw new Error(`COPY flag --${unknown[0]} is not supported`);
  return { from: flags.from, chown: flags.chown, src: paths[0], dst: paths[1] };
}

/**
 * `[rm -rf PATHS && ]mkdir -p DIRS [&& chown user:group DIRS]` -> what to remove and the folders to create; any other
 * command is refused. Removed paths are relative, inside the app folder (files the tracer drags in, never needed).
 */
function parseRuntimeRun(args) {
  const PATHS = '((?:[\\w.\\-/@]+ ?)+?)';
  const match = new RegExp(`^(?:rm -rf ${PATHS} && )?mkdir -p ${PATHS}(?: && chown [\\w-]+(?::[\\w-]+)? ((?:[\\w.\\-/]+ ?)+))?$`).exec(args.trim());
  if (!match) throw new Error(`RUN in the runtime stage may only be "[rm -rf PATHS && ]mkdir -p DIRS [&& chown USER:GROUP DIRS]": ${args}`);
  const remove = match[1] ? match[1].trim().split(/\s+/) : [];
  const outside = remove.find((p) => p.startsWith('/') || p.split('/').includes('..') || p === '.');
  if (outside) throw new Error(`RUN rm -rf in the runtime stage removes only paths inside the app folder: ${outside}`);
  return { remove, dirs: match[2].trim().split(/\s+/) };
}

const workdirOf = (stage) => stage.instructions.filter((i) => i.op === 'WORKDIR').at(-1)?.args;

/** What the Dockerfile asks of this script: the build stage's commands and the runtime stage's folder and start. */
export function planFromDockerfile(text) {
  const stages = parseDockerfile(text);
  const runtime = stages.at(-1);
  if (!runtime || stages.length < 2) throw new Error('Dockerfile: expected a build stage and a runtime stage');
  const runtimeCopies = runtime.instructions.filter((i) => i.op === 'COPY').map((i) => parseCopy(i.args));
  const buildName = runtimeCopies[0]?.from;
  const build = stages.find((s) => s.name === buildName);
  if (!build) throw new Error(`Dockerfile: the runtime stage copies from "${buildName}", which is not a stage`);

  const plan = { buildWorkdir: workdirOf(build), buildEnv: {}, buildRuns: [], workdir: undefined, env: {}, copies: [], remove: [], dirs: [], user: undefined, expose: [], healthcheck: undefined, cmd: undefined };
  for (const i of build.instructions) {
    if (i.op === 'ENV') Object.assign(plan.buildEnv, parseEnv(i.args));
    else if (i.op === 'RUN') plan.buildRuns.push(i.args);
    else if (!['WORKDIR', 'COPY'].includes(i.op)) throw new Error(`Dockerfile line ${i.line}: ${i.op} in the build stage is not known to scripts/standalone.mjs`);
  }
  for (const i of runtime.instructions) {
    const at = `Dockerfile line ${i.line}`;
    switch (i.op) {
      case 'WORKDIR':
        plan.workdir = i.args;
        break;
      case 'ENV':
        Object.assign(plan.env, parseEnv(i.args));
        break;
      case 'COPY': {
        const copy = parseCopy(i.args);
        if (copy.from !== buildName) throw new Error(`${at}: the runtime stage copies only from the "${buildName}" stage`);
        plan.copies.push(copy);
        break;
      }
      case 'RUN': {
        const run = parseRuntimeRun(i.args);
        plan.remove.push(...run.remove);
        plan.dirs.push(...run.dirs);
        break;
      }
      case 'USER':
        plan.user = i.args;
        break;
      case 'EXPOSE':
        plan.expose.push(...i.args.split(/\s+/));
        break;
      case 'HEALTHCHECK': {
        const match = /^((?:--[\w-]+=\S+\s+)*)CMD\s+(.+)$/.exec(i.args);
        if (!match) throw new Error(`${at}: HEALTHCHECK must be [--option=value …] CMD ["…"]`);
        plan.healthcheck = parseExecForm('HEALTHCHECK CMD', match[2]);
        break;
      }
      case 'CMD':
        plan.cmd = parseExecForm('CMD', i.args);
        break;
      default:
        throw new Error(`${at}: ${i.op} in the runtime stage is not known to scripts/standalone.mjs`);
    }
  }
  if (!plan.buildWorkdir || !plan.workdir) throw new Error('Dockerfile: the build and runtime stages need a WORKDIR');
  if (!plan.cmd) throw new Error('Dockerfile: the runtime stage has no CMD');
  return plan;
}

/** A runtime COPY's source (a path in the build stage) -> a path in this checkout. */
export function localSource(plan, src, root = repoRoot) {
  const prefix = `${plan.buildWorkdir.replace(/\/$/, '')}/`;
  if (!src.startsWith(prefix)) throw new Error(`COPY source ${src} is outside the build stage's WORKDIR ${plan.buildWorkdir}`);
  return path.join(root, src.slice(prefix.length));
}

/** A runtime path (relative to WORKDIR, or absolute under it) -> a path in the target folder. */
export function localTarget(plan, dst, outDir) {
  const workdir = plan.workdir.replace(/\/$/, '');
  const relative = dst.startsWith('/') ? (dst === workdir ? '.' : dst.startsWith(`${workdir}/`) ? dst.slice(workdir.length + 1) : null) : dst;
  if (relative === null) throw new Error(`${dst} is outside the runtime WORKDIR ${plan.workdir}`);
  const target = path.resolve(outDir, relative);
  if (target !== path.resolve(outDir) && !target.startsWith(`${path.resolve(outDir)}${path.sep}`)) throw new Error(`${dst} leaves the target folder`);
  return target;
}

/** Every package under `dir`'s node_modules that package-lock.json marks dev-only, or does not know (as lock paths). */
export function devPackagesIn(dir, lock) {
  const found = [];
  const walk = (modulesDir, lockPrefix) => {
    if (!existsSync(modulesDir)) return;
    for (const entry of readdirSync(modulesDir)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@') ? readdirSync(path.join(modulesDir, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const name of names) {
        const key = `${lockPrefix}node_modules/${name}`;
        const meta = lock.packages?.[key];
        // Tracing copies the package.json of a package the resolver only looked at (no code): not a dependency.
        const manifestOnly = readdirSync(path.join(modulesDir, name)).every((file) => file === 'package.json');
        if ((!meta || meta.dev === true) && !manifestOnly) found.push(key);
        walk(path.join(modulesDir, name, 'node_modules'), `${key}/`);
      }
    }
  };
  walk(path.join(dir, 'node_modules'), '');
  return found;
}

/** Problems with a prepared folder: run-time files missing, devDependencies or excluded packages present, settings files copied in. */
export function checkFolder(dir, lock) {
  const problems = [];
  for (const file of REQUIRED_FILES) if (!existsSync(path.join(dir, file))) problems.push(`missing ${file}`);
  for (const key of devPackagesIn(dir, lock)) problems.push(`${key} is not a production dependency (package-lock.json)`);
  for (const name of EXCLUDED_PACKAGES) if (existsSync(path.join(dir, 'node_modules', name))) problems.push(`node_modules/${name} must not ship (next.config.ts)`);
  for (const entry of readdirSync(dir)) if (/^\.env/.test(entry)) problems.push(`${entry} must not be in the folder (settings come from the environment)`);
  return problems;
}

/** The folder is deleted first: only an empty one, or one this script prepared (it has server.js), and never the checkout. */
export function assertReplaceable(outDir, root) {
  const out = path.resolve(outDir);
  const inside = (parent, child) => child === parent || child.startsWith(`${parent}${path.sep}`);
  if (inside(out, path.resolve(root))) throw new Error(`standalone: --out ${outDir} holds the checkout; choose a folder of its own`);
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(path.join(out, 'server.js'))) {
    throw new Error(`standalone: ${outDir} is not empty and not a standalone folder; it would be replaced, so choose another`);
  }
}

/** Performs the plan into outDir (replaced), from the checkout at `root`. Returns the start command. */
export function prepare(plan, { outDir, root = repoRoot, skipBuild = false, log = console.error }) {
  if (!skipBuild) {
    for (const command of plan.buildRuns) {
      log(`standalone: RUN ${command}`);
      const run = spawnSync('sh', ['-c', command], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...plan.buildEnv } });
      if (run.status !== 0) throw new Error(`standalone: "${command}" failed (exit ${run.status ?? run.signal})`);
    }
  }
  assertReplaceable(outDir, root);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const copy of plan.copies) {
    const src = localSource(plan, copy.src, root);
    if (!existsSync(src)) throw new Error(`standalone: ${path.relative(root, src)} does not exist; build first (without --skip-build)`);
    let dst = localTarget(plan, copy.dst, outDir);
    if (statSync(src).isFile() && copy.dst.endsWith('/')) dst = path.join(dst, path.basename(src));
    mkdirSync(statSync(src).isDirectory() ? dst : path.dirname(dst), { recursive: true });
    // Symlinks stay as they are: the build links hashed external package names to node_modules relatively.
    cpSync(src, dst, { recursive: true, verbatimSymlinks: true });
  }
  for (const gone of plan.remove) rmSync(localTarget(plan, gone, outDir), { recursive: true, force: true });
  for (const dir of plan.dirs) mkdirSync(localTarget(plan, dir, outDir), { recursive: true });
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const problems = checkFolder(outDir, lock);
  if (problems.length > 0) throw new Error(`standalone: the folder is not ready:\n  ${problems.join('\n  ')}`);
  return { dir: outDir, env: plan.env, cmd: plan.cmd, user: plan.user, expose: plan.expose, healthcheck: plan.healthcheck };
}

const shellQuote = (value) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/**
 * The environment `docker run` would give the CMD: the image's ENV, then the caller's settings over it (as `-e` does).
 * HOSTNAME is the exception: a shell's HOSTNAME names the machine, not an address, so the image's value stands.
 */
export function runtimeEnv(imageEnv, callerEnv) {
  const env = { ...imageEnv, ...callerEnv };
  if (imageEnv.HOSTNAME !== undefined) env.HOSTNAME = imageEnv.HOSTNAME;
  return env;
}

/** lib/env.ts's default storage: relative to the server's working directory. */
export const DEFAULT_DATABASE_URL = 'pglite:.data/pglite';

/**
 * The server runs in the folder, which the next run replaces: embedded storage given by a relative path (or the
 * default) is kept where the caller is instead, where `next start` kept it.
 */
export function localDatabaseUrl(url, cwd) {
  const value = url || DEFAULT_DATABASE_URL;
  if (!value.startsWith('pglite:') || path.isAbsolute(value.slice('pglite:'.length))) return value;
  return `pglite:${path.resolve(cwd, value.slice('pglite:'.length))}`;
}

/** Runs the CMD in the folder until it exits, passing on SIGINT and SIGTERM (the container's stop). */
async function start(result, host) {
  const [command, ...args] = result.cmd;
  // The settings files `next start` read from this folder (.env, .env.local, .env.production…): the server reads them
  // from its own folder, where they must not be; an already set variable wins, as there.
  const { default: nextEnv } = await import('@next/env');
  nextEnv.loadEnvConfig(process.cwd(), false, { info: () => undefined, error: (...m) => console.error(...m) });
  const env = runtimeEnv(result.env, process.env);
  if (host) env.HOSTNAME = host;
  env.DATABASE_URL = localDatabaseUrl(env.DATABASE_URL, process.cwd());
  const child = spawn(command === 'node' ? process.execPath : command, args, { cwd: result.dir, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function main(argv) {
  const args = { skipBuild: false, json: false, start: false, host: undefined, out: path.join(repoRoot, '.standalone') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--skip-build') args.skipBuild = true;
    else if (argv[i] === '--json') args.json = true;
    else if (argv[i] === '--start') args.start = true;
    else if (argv[i] === '--out' && argv[i + 1]) args.out = path.resolve(argv[++i]);
    else if (argv[i] === '--host' && argv[i + 1]) args.host = argv[++i];
    else throw new Error(`usage: node scripts/standalone.mjs [--skip-build] [--out DIR] [--json | --start [--host ADDRESS]] (unknown: ${argv[i]})`);
  }
  const plan = planFromDockerfile(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));
  const result = prepare(plan, { outDir: args.out, skipBuild: args.skipBuild });
  if (args.json) {
    console.log(JSON.stringify(result));
    return;
  }
  if (args.start) {
    console.error(`standalone: starting ${result.cmd.join(' ')} in ${result.dir}`);
    await start(result, args.host);
    return;
  }
  const env = Object.entries(result.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  console.log(`The standalone server is in ${result.dir}. Start it with your settings (.env.example) in the environment:`);
  console.log(`  cd ${shellQuote(result.dir)} && env ${env.join(' ')} ${result.cmd.map(shellQuote).join(' ')}`);
  console.log('The next run replaces the folder: give embedded storage an absolute DATABASE_URL=pglite:/… outside it.');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
