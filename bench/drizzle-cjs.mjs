/**
 * `node --import ./bench/drizzle-cjs.mjs`: bench children load drizzle-orm through its CommonJS build, as the
 * portal's server does (next build bundles drizzle-orm into the server's chunks; nothing resolves its ES modules at
 * run time). Why: on Node 24, importing drizzle-orm's ES modules (`drizzle-orm` and `drizzle-orm/pg-core`, a
 * package.json of 179 KB of exports) allocates ~150 MB of short-lived heap, and the V8 pages it grew stay resident
 * after they are collected: 200 MB RSS for those two imports alone under tsx, 97 MB through the CommonJS build.
 * That cost is the loader's, paid once per process, not the portal's collection; the bench child still prints its RSS
 * before collecting next to the peak.
 */
import { createRequire, registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const DRIZZLE = /^drizzle-orm(\/|$)/;

// In-thread hooks (module.registerHooks): module.register would start a loader thread of its own (~35 MB).
registerHooks({
  /** drizzle-orm imports to the files `require` would load (requires, this hook's own among them, pass). */
  resolve(specifier, context, nextResolve) {
    if (DRIZZLE.test(specifier) && context.conditions?.includes('import') && context.parentURL?.startsWith('file:')) {
      const file = createRequire(context.parentURL).resolve(specifier);
      return { url: pathToFileURL(file).href, format: 'commonjs', shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
});
