import 'server-only';
import { shutDown, type ShutdownSteps } from './shutdown';
import { processLog } from '@/lib/log';

/**
 * SIGTERM and SIGINT start shutDown (shutdown.ts) and end the process with 0 within `graceSeconds`.
 *
 * Next's own server (`next start`, and the standalone server.js, both lib/start-server in next/dist) listens for these
 * signals too, unless NEXT_MANUAL_SIG_HANDLE is set: it stops accepting connections, lets in-flight requests finish
 * (server.close), then calls process.exit(143). That call is the one sign we get that HTTP has drained, so while a
 * shutdown runs it is taken as such instead of ending the process, and the process exits when the leases are given
 * back and the pool is closed. With NEXT_MANUAL_SIG_HANDLE set nothing drains HTTP: do not set it.
 */
export function installShutdown(graceSeconds: number, steps: ShutdownSteps, proc: NodeJS.Process = process): void {
  // Once per process, even if the instrumentation hook is evaluated again (dev-mode reloads).
  const mark = proc as unknown as { __mfaPortalShutdown?: true };
  if (mark.__mfaPortalShutdown) return;
  mark.__mfaPortalShutdown = true;
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    const exit = proc.exit.bind(proc);
    const nextHandles = proc.listeners(signal).some((listener) => listener !== onSignal);
    const httpDrained = nextHandles
      ? new Promise<void>((resolve) => {
          proc.exit = (() => resolve()) as typeof proc.exit;
        })
      : Promise.resolve();
    const graceMs = graceSeconds * 1000;
    // Whatever hangs, the process is gone within the grace period.
    const hardStop = setTimeout(() => {
      processLog.error('shutdown did not complete within the grace period: exiting');
      exit(1);
    }, graceMs);
    processLog.info({ signal, graceSeconds }, 'shutting down');
    shutDown({ ...steps, inFlight: () => [httpDrained, ...steps.inFlight()] }, graceMs - 250, (line) => processLog.warn(line)).then(
      (report) => {
        clearTimeout(hardStop);
        const leases = report.leases === 'timed out' ? 'timed out' : `${report.leases.released} released, ${report.leases.failed} failed`;
        processLog.info({ steps: report.steps, leases }, 'shutdown done');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(hardStop);
        processLog.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  proc.on('SIGTERM', onSignal);
  proc.on('SIGINT', onSignal);
}
