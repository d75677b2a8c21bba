/**
 * Runs once when the server starts: invalid configuration or an unreachable database stops start-up
 * here, with a message naming the problem, instead of failing on the first request.
 */
import { ConfigError, getEnv } from './lib/env';
import { processLog, routeConsoleToLog, withJobContext } from './lib/log';
import { closeDatabase, getDatabase } from './lib/db/client';
import { startInventorySchedule, stopInventorySchedule } from './lib/inventory/refresh';
import { discoverIfNoneYet } from './lib/accounts/discovery';
import { startReminderSchedule, stopReminderSchedule } from './lib/program/reminders/run';
import { startEventConsumer, stopEventConsumer } from './lib/events/consumer';
import { beginDraining, inFlightWork, releaseHeldLeases, trackWork } from './lib/ops/lifecycle';
import { installShutdown } from './lib/ops/process-shutdown';

// From here on, Next's own reports and libraries' console output are JSON lines through the same censor.
routeConsoleToLog();

try {
  const env = getEnv();
  // SIGTERM/SIGINT: stop the schedulers and the consumer, let requests and runs finish, give leases back, close the pool.
  installShutdown(env.MFA_SHUTDOWN_GRACE_SECONDS, {
    stopIntake: () => {
      beginDraining();
      stopInventorySchedule();
      stopReminderSchedule();
      trackWork(stopEventConsumer());
    },
    inFlight: inFlightWork,
    releaseLeases: releaseHeldLeases,
    closeDatabase,
  });
  const db = await getDatabase();
  processLog.info({ storage: db.kind }, 'storage ready, migrations applied');
  startInventorySchedule();
  // In the background: Organizations being unreachable must not stop start-up (the next inventory run retries).
  void withJobContext('account-discovery', () => discoverIfNoneYet(db.db)).catch((error: unknown) => processLog.error({ err: error }, 'account discovery at start-up failed'));
  startReminderSchedule();
  startEventConsumer();
} catch (error) {
  if (error instanceof ConfigError) processLog.fatal({ problems: error.problems }, error.message);
  else processLog.fatal({ err: error }, 'start-up failed');
  process.exit(1);
}
