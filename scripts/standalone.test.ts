import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFolder, devPackagesIn, localSource, localTarget, parseEnv, planFromDockerfile, prepare, REQUIRED_FILES, runtimeEnv, DEFAULT_DATABASE_URL, localDatabaseUrl, type Lock } from './standalone.mjs';

const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
const dockerignore = readFileSync(new URL('../.dockerignore', import.meta.url), 'utf8');
const plan = planFromDockerfile(dockerfile);

/** The real Dockerfile with `line` added to its runtime stage, just before the CMD. */
const withRuntimeLine = (line: string) => dockerfile.replace(/^CMD /m, `${line}\nCMD `);

const temps: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfa-portal-standalone-test-'));
  temps.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const write = (file: string, text = '') => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

describe('the Dockerfile, as scripts/standalone.mjs reads it', () => {
  it('uses Node 24 slim with a pinned tag in every stage', () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(3);
    for (const image of froms) expect(image).toBe('node:24-bookworm-slim');
  });

  it('builds with next build and runs server.js as the unprivileged node user in production mode', () => {
    expect(plan.buildRuns).toEqual(['node_modules/.bin/next build']);
    expect(plan.user).toBe('node');
    expect(plan.cmd).toEqual(['node', 'server.js']);
    expect(plan.env).toMatchObject({ NODE_ENV: 'production', PORT: '3000', HOSTNAME: '0.0.0.0' });
    expect(plan.expose).toEqual(['3000']);
  });

  it('puts only the standalone output and the static assets into the runtime stage, from the build stage', () => {
    expect(plan.copies).toEqual([
      { from: 'build', chown: undefined, src: '/app/.next/standalone', dst: './' },
      { from: 'build', chown: undefined, src: '/app/.next/static', dst: './.next/static' },
    ]);
    expect(plan.dirs).toEqual(['.data', '.next/cache']);
    expect(plan.remove).toEqual(['node_modules/thread-stream/test', 'node_modules/why-is-node-running']);
  });

  it('checks health with node’s own fetch of /api/health (the slim image has no curl)', () => {
    expect(plan.healthcheck?.slice(0, 2)).toEqual(['node', '-e']);
    expect(plan.healthcheck?.[2]).toContain("fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health')");
  });

  it('holds no secret in a layer: no ARG, no secret-named ENV, and .env files stay out of the build context', () => {
    expect(dockerfile).not.toMatch(/^\s*ARG\b/im);
    const envKeys = [...dockerfile.matchAll(/^ENV\s+(.+)$/gm)].flatMap((m) => Object.keys(parseEnv(m[1]!)));
    expect(envKeys).toContain('NODE_ENV');
    for (const key of envKeys) expect(key).not.toMatch(/SECRET|PASSWORD|TOKEN|KEY|CREDENTIAL|DATABASE_URL/);
    const ignored = dockerignore.split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*', '.git', 'node_modules', '.next', '.data']));
  });

  it.each([
    ['ADD', 'ADD https://example.com/x /app/x'],
    ['ENTRYPOINT', 'ENTRYPOINT ["node"]'],
    ['VOLUME', 'VOLUME /app/.data'],
    ['ARG', 'ARG NEXTAUTH_SECRET'],
  ])('refuses a runtime stage with an instruction it does not perform (%s)', (op, line) => {
    expect(() => planFromDockerfile(withRuntimeLine(line))).toThrow(new RegExp(`line \\d+: ${op} in the runtime stage is not known`));
  });

  it('refuses a RUN it cannot perform, a COPY from elsewhere than the build stage, and a shell-form CMD', () => {
    expect(() => planFromDockerfile(withRuntimeLine('RUN apt-get update && apt-get install -y curl'))).toThrow(/may only be "\[rm -rf PATHS && \]mkdir -p/);
    expect(() => planFromDockerfile(withRuntimeLine('COPY --from=deps /app/node_modules ./node_modules'))).toThrow(/copies only from the "build" stage/);
    expect(() => planFromDockerfile(withRuntimeLine('COPY README.md ./'))).toThrow(/copies only from the "build" stage/);
    expect(() => planFromDockerfile(dockerfile.replace('CMD ["node", "server.js"]', 'CMD node server.js'))).toThrow(/CMD must use the exec form/);
  });

  it('removes only paths inside the app folder before creating the folders', () => {
    const line = (run: string) => dockerfile.replace(/^RUN rm -rf .*$/m, run);
    expect(planFromDockerfile(line('RUN mkdir -p .data')).remove).toEqual([]);
    expect(planFromDockerfile(line('RUN rm -rf a/b @scope/c && mkdir -p .data'))).toMatchObject({ remove: ['a/b', '@scope/c'], dirs: ['.data'] });
    for (const outside of ['/etc', '../up', 'a/../../up', '.']) {
      expect(() => planFromDockerfile(line(`RUN rm -rf ${outside} && mkdir -p .data`))).toThrow(/removes only paths inside the app folder/);
    }
    expect(() => planFromDockerfile(line('RUN rm -rf a; mkdir -p .data'))).toThrow(/may only be/);
  });

  it('reads ENV in both forms, quoted values and continuation lines', () => {
    expect(parseEnv('A=1 B="two words" C=\'x\'')).toEqual({ A: '1', B: 'two words', C: 'x' });
    expect(parseEnv('LEGACY some value')).toEqual({ LEGACY: 'some value' });
    const continued = withRuntimeLine('ENV EXTRA=1 \\\n    MORE=2');
    expect(planFromDockerfile(continued).env).toMatchObject({ EXTRA: '1', MORE: '2', NODE_ENV: 'production' });
  });

  it('maps build-stage paths to the checkout and runtime paths into the target folder, never outside it', () => {
    expect(localSource(plan, '/app/.next/static', '/repo')).toBe('/repo/.next/static');
    expect(() => localSource(plan, '/etc/passwd', '/repo')).toThrow(/outside the build stage's WORKDIR/);
    expect(localTarget(plan, './.next/static', '/out')).toBe('/out/.next/static');
    expect(localTarget(plan, '/app/.data', '/out')).toBe('/out/.data');
    expect(() => localTarget(plan, '../elsewhere', '/out')).toThrow(/leaves the target folder/);
    expect(() => localTarget(plan, '/tmp/x', '/out')).toThrow(/outside the runtime WORKDIR/);
  });
});

describe('the folder check', () => {
  const lock: Lock = {
    packages: {
      'node_modules/next': {},
      'node_modules/vitest': { dev: true },
      'node_modules/semver': { dev: true },
      'node_modules/@aws-sdk/client-iam': {},
      'node_modules/next/node_modules/vite': { dev: true },
      'node_modules/openid-client/node_modules/lru-cache': {},
      'node_modules/openid-client': {},
      'node_modules/@electric-sql/pglite': {},
    },
  };

  function folder() {
    const dir = tempDir();
    for (const file of REQUIRED_FILES) write(path.join(dir, file));
    for (const name of ['next', '@aws-sdk/client-iam', 'openid-client', 'openid-client/node_modules/lru-cache']) {
      write(path.join(dir, 'node_modules', name, 'package.json'), '{}');
      write(path.join(dir, 'node_modules', name, 'index.js'));
    }
    return dir;
  }

  it('passes a folder of production packages with every run-time file', () => {
    expect(checkFolder(folder(), lock)).toEqual([]);
  });

  it('names devDependencies at any depth and packages the lockfile does not know', () => {
    const dir = folder();
    for (const name of ['vitest', 'next/node_modules/vite', 'aws-cdk-lib']) write(path.join(dir, 'node_modules', name, 'index.js'));
    // Only a manifest the resolver looked at, without code: not a dependency.
    write(path.join(dir, 'node_modules/semver/package.json'), '{}');
    expect(devPackagesIn(dir, lock).sort()).toEqual(['node_modules/aws-cdk-lib', 'node_modules/next/node_modules/vite', 'node_modules/vitest']);
  });

  it('names a missing run-time file, an excluded package and a settings file', () => {
    const dir = folder();
    rmSync(path.join(dir, 'node_modules/@electric-sql/pglite/dist/pglite.wasm'));
    write(path.join(dir, 'node_modules/@img/sharp-libvips-linux-x64/package.json'), '{}');
    write(path.join(dir, '.env.local'), 'NEXTAUTH_SECRET=x');
    expect(checkFolder(dir, { packages: { ...lock.packages, 'node_modules/@img/sharp-libvips-linux-x64': { } } })).toEqual([
      'missing node_modules/@electric-sql/pglite/dist/pglite.wasm',
      'node_modules/@img must not ship (next.config.ts)',
      '.env.local must not be in the folder (settings come from the environment)',
    ]);
  });
});

describe('prepare (the runtime stage performed into a folder)', () => {
  function checkout() {
    const root = tempDir();
    const standalone = path.join(root, '.next/standalone');
    for (const file of REQUIRED_FILES.filter((f) => f !== '.next/static')) write(path.join(standalone, file), file);
    write(path.join(standalone, 'node_modules/pg/index.js'));
    mkdirSync(path.join(standalone, '.next/node_modules'), { recursive: true });
    symlinkSync('../../node_modules/pg', path.join(standalone, '.next/node_modules/pg-0123'));
    write(path.join(root, '.next/static/chunks/app.js'), 'chunk');
    write(path.join(root, 'package-lock.json'), JSON.stringify({ packages: { 'node_modules/pg': {}, 'node_modules/@electric-sql/pglite': {} } }));
    return root;
  }

  it('copies the standalone output and the static assets, creates the writable folders and returns the start command', () => {
    const root = checkout();
    const outDir = path.join(tempDir(), 'out');
    const result = prepare(plan, { outDir, root, skipBuild: true, log: () => {} });
    expect(readFileSync(path.join(outDir, 'server.js'), 'utf8')).toBe('server.js');
    expect(readFileSync(path.join(outDir, '.next/static/chunks/app.js'), 'utf8')).toBe('chunk');
    expect(readlinkSync(path.join(outDir, '.next/node_modules/pg-0123'))).toBe('../../node_modules/pg');
    expect(existsSync(path.join(outDir, '.data'))).toBe(true);
    expect(existsSync(path.join(outDir, '.next/cache'))).toBe(true);
    expect(result).toMatchObject({ dir: outDir, cmd: ['node', 'server.js'], user: 'node', env: { NODE_ENV: 'production', PORT: '3000' } });
  });

  it('replaces what a folder it prepared held before', () => {
    const root = checkout();
    const outDir = tempDir();
    write(path.join(outDir, 'server.js'));
    write(path.join(outDir, 'stale.js'));
    prepare(plan, { outDir, root, skipBuild: true, log: () => {} });
    expect(existsSync(path.join(outDir, 'stale.js'))).toBe(false);
  });

  it('refuses to replace the checkout, a folder holding it, or a folder of something else', () => {
    const root = checkout();
    expect(() => prepare(plan, { outDir: root, root, skipBuild: true, log: () => {} })).toThrow(/holds the checkout/);
    expect(() => prepare(plan, { outDir: path.dirname(root), root, skipBuild: true, log: () => {} })).toThrow(/holds the checkout/);
    const other = tempDir();
    write(path.join(other, 'notes.txt'), 'mine');
    expect(() => prepare(plan, { outDir: other, root, skipBuild: true, log: () => {} })).toThrow(/not empty and not a standalone folder/);
    expect(readFileSync(path.join(other, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(root, '.next/standalone/server.js'))).toBe(true);
  });

  it('stops when the build output is missing, and when a devDependency is in it', () => {
    const root = checkout();
    rmSync(path.join(root, '.next/static'), { recursive: true });
    expect(() => prepare(plan, { outDir: path.join(tempDir(), 'out'), root, skipBuild: true, log: () => {} })).toThrow(/\.next\/static does not exist; build first/);

    const withDev = checkout();
    write(path.join(withDev, '.next/standalone/node_modules/typescript/lib/typescript.js'));
    expect(() => prepare(plan, { outDir: path.join(tempDir(), 'out'), root: withDev, skipBuild: true, log: () => {} })).toThrow(
      /node_modules\/typescript is not a production dependency/,
    );
  });
});

describe('runtimeEnv (what the CMD gets with --start)', () => {
  it('puts the caller’s settings over the image’s ENV, as docker run -e does, except the shell’s HOSTNAME', () => {
    const env = runtimeEnv(plan.env, { PORT: '4000', HOSTNAME: 'build-host-7', NEXTAUTH_URL: 'http://127.0.0.1:4000' });
    expect(env).toMatchObject({ NODE_ENV: 'production', PORT: '4000', HOSTNAME: '0.0.0.0', NEXTAUTH_URL: 'http://127.0.0.1:4000' });
    expect(runtimeEnv(plan.env, {}).PORT).toBe('3000');
  });
});

describe('localDatabaseUrl (embedded storage outside the replaced folder)', () => {
  it('anchors a relative or default PGlite path at the caller’s folder and leaves the rest alone', () => {
    expect(localDatabaseUrl(undefined, '/repo')).toBe('pglite:/repo/.data/pglite');
    expect(localDatabaseUrl('pglite:data/x', '/repo')).toBe('pglite:/repo/data/x');
    expect(localDatabaseUrl('pglite:/var/lib/portal', '/repo')).toBe('pglite:/var/lib/portal');
    expect(localDatabaseUrl('postgres://u:p@db:5432/portal', '/repo')).toBe('postgres://u:p@db:5432/portal');
  });

  it('uses the default lib/env.ts has', () => {
    expect(readFileSync(new URL('../lib/env.ts', import.meta.url), 'utf8')).toContain(`.default('${DEFAULT_DATABASE_URL}')`);
  });
});
