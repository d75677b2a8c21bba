/**
 * Tests set the portal's configuration here, never by writing process.env themselves: lib/env.ts stays the only
 * reader of the configuration in app/ and lib/, and tests say what they configure in one place.
 */
export function setTestEnv(vars: Record<string, string>): void {
  Object.assign(process.env, vars);
}

/** The environment a child process (a script under test) starts with, plus the given settings. */
export function childEnv(vars: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...vars };
}
