export async function register() {
  // eslint-disable-next-line no-restricted-properties -- Next replaces this literal at build time so the edge bundle drops the Node-only import; a read through lib/env would defeat that.
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./instrumentation-node');
}
