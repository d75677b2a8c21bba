import 'server-only';
import { inspect } from 'node:util';
import pino, { type DestinationStream, type Logger } from 'pino';
import { getLogLevel } from '@/lib/env';
import type { LogLevel } from '@/lib/env-fields';
import { currentLogContext } from './context';
import { CENSOR, REDACT_PATHS, scrubText, scrubValue } from './redact';

export { setLogActor, withJobContext, withLogContext } from './context';

/**
 * The portal's logger: one JSON object per line on stdout (`time`, `level`, `msg`, and `reqId` + `actor` inside a
 * request or `job` + `jobId` inside a background run, then the call's own fields). Secrets are censored twice: by key
 * (pino `redact` and `scrubValue`) and by shape in every string, messages included (lib/log/redact.ts).
 */
export function createLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? getLogLevel(),
      // No pid or hostname: the platform adds where a line came from; a pid could also pass for a 6-digit code.
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubValue(object) as Record<string, unknown>,
      },
      mixin: () => {
        const context = currentLogContext();
        if (!context) return {};
        return Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined));
      },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      // The standard error serializer's result is not a plain object: copied first so that scrubValue walks it.
      serializers: { err: (error: Error) => scrubValue(JSON.parse(JSON.stringify(pino.stdSerializers.err(error)))) as ReturnType<typeof pino.stdSerializers.err> },
      hooks: {
        logMethod(args, method) {
          const [first] = args as unknown[];
          const out = (args as unknown[]).map((a) => (typeof a === 'string' ? scrubText(a) : a));
          // pino would take the message of a lone error as the line's message without passing it through here.
          const error = first instanceof Error ? first : typeof first === 'object' && first !== null && (first as { err?: unknown }).err instanceof Error ? (first as { err: Error }).err : undefined;
          if (error && typeof out[1] !== 'string') out.splice(1, 0, scrubText(error.message));
          if (first instanceof Error) out[0] = { err: first };
          return method.apply(this, out as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export const log: Logger = createLogger();

/** For lines that belong to no request or job: start-up, shutdown, the database pool. */
export const processLog: Logger = log.child({ scope: 'process' });

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';
const CONSOLE_LEVELS: Record<ConsoleMethod, 'info' | 'warn' | 'error' | 'debug'> = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug' };

/**
 * Sends console output (Next's own error reports, libraries) through the logger, so that every line of the
 * process is JSON and passes the same censor. Lines keep `source: "console"`.
 */
export function routeConsoleToLog(logger: Logger = log, target: Pick<Console, ConsoleMethod> = console): void {
  for (const [method, level] of Object.entries(CONSOLE_LEVELS) as [ConsoleMethod, (typeof CONSOLE_LEVELS)[ConsoleMethod]][]) {
    target[method] = (...args: unknown[]) => {
      const err = args.find((a): a is Error => a instanceof Error);
      const text = args
        .filter((a) => a !== err)
        .map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 4, breakLength: Infinity })))
        .join(' ');
      logger[level]({ source: 'console', ...(err ? { err } : {}) }, text || err?.message || '');
    };
  }
}
