import { spawn, type ChildProcess } from 'node:child_process';

export type ChildExit = { code: number | null; signal: NodeJS.Signals | null };

export type ManagedChild = {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has exited, whoever caused it. */
  readonly exited: Promise<ChildExit>;
  /** Settles with a description (and the stderr tail) only if the process exits before stop() is called. */
  readonly unexpectedExit: Promise<string>;
  /** The last lines the child wrote to stderr (only when stderr is captured). */
  stderrTail(lines?: number): string;
  /** SIGTERM to the whole process group, SIGKILL after the grace period; resolves after exit. */
  stop(graceMs?: number): Promise<ChildExit>;
};

export type SpawnManagedOptions = {
  name: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** 'capture' drains output into a tail buffer (a full pipe would stall the child); 'inherit' streams it. */
  output: 'capture' | 'inherit';
};

const TAIL_BYTES = 8192;
const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

const killAll = () => {
  for (const child of live) killGroup(child, 'SIGKILL');
};

// If this node process exits without stopping its children (a crash, process.exit), they would be
// orphaned and keep their ports: kill their groups synchronously, the only thing an 'exit' handler can do.
process.on('exit', killAll);

// Children live in their own process group, so a terminal's Ctrl-C reaches only this process. When nothing
// else handles the signal, node would die without an 'exit' event: kill the children, then die of the signal
// as before. A host that handles the signal itself (a CLI, a test runner) stops its children in its own way.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  const onSignal = () => {
    if (process.listenerCount(signal) > 1) return;
    killAll();
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  };
  process.on(signal, onSignal);
}

/** Spawns a command in its own process group, so that stop() also ends anything it forks. */
export function spawnManaged(command: string, args: string[], options: SpawnManagedOptions): ManagedChild {
  const capture = options.output === 'capture';
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  let tail = '';
  if (capture) {
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-TAIL_BYTES);
    });
  }
  live.add(child);
  let stopping = false;
  const exited = new Promise<ChildExit>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      live.delete(child);
      resolve({ code, signal });
    };
    child.once('exit', done);
    child.once('error', (err) => {
      tail += `\n${err.message}`;
      done(null, null);
    });
  });
  const stderrTail = (lines = 20) => tail.trim().split('\n').slice(-lines).join('\n');
  const unexpectedExit = new Promise<string>((resolve) => {
    void exited.then(({ code, signal }) => {
      if (stopping) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      resolve(`${options.name} ${how}${tail ? `; its output ends with:\n${stderrTail()}` : ''}`);
    });
  });
  return {
    name: options.name,
    pid: child.pid ?? -1,
    exited,
    unexpectedExit,
    stderrTail,
    async stop(graceMs = 5000) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      // The leader is gone; make sure nothing else it forked outlives it.
      killGroup(child, 'SIGKILL');
      return result;
    },
  };
}

/**
 * Polls `probe` until it returns true. Rejects if the child exits first (quoting its stderr) or the time is up.
 * Errors from the probe count as "not yet": the server is usually still binding its port.
 */
export async function waitUntilReady(child: ManagedChild, probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  while (!exited && Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const why = exited ? `${child.name} exited during start-up` : `${what} did not answer within ${timeoutMs / 1000} s`;
  const tail = child.stderrTail();
  throw new Error(tail ? `${why}. Its stderr ends with:\n${tail}` : `${why}.`);
}

