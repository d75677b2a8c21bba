/**
 * Orderly exit for the long-running CLIs: on SIGINT/SIGTERM (or exit()), run the registered clean-ups
 * in reverse order, once, then exit. A second signal exits at once; child.ts then kills the children.
 */
export function createShutdown() {
  const cleanups: (() => Promise<unknown>)[] = [];
  let exiting: Promise<never> | undefined;

  const exit = (code: number, message?: string): Promise<never> => {
    exiting ??= (async () => {
      if (message) console.error(message);
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch((error: unknown) => console.error(`While stopping: ${(error as Error).message}`));
      }
      process.exit(code);
    })();
    return exiting;
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (exiting) process.exit(130);
      console.log(`\n${signal}: stopping…`);
      void exit(0);
    });
  }

  return {
    /** Registers a clean-up; later ones run first. */
    add(cleanup: () => Promise<unknown>) {
      cleanups.push(cleanup);
    },
    exit,
  };
}
