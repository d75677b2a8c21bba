// A module hook for portal code run by plain Node (test-support/portal-instance.ts): the real 'server-only' package
// throws outside Next's server bundle, and Next's own modules break under the react-server condition that would
// otherwise silence it. Same stub as vitest's alias.
const stub = new URL('../scripts/server-only-stub.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  return specifier === 'server-only' ? { url: stub, shortCircuit: true } : next(specifier, context);
}
