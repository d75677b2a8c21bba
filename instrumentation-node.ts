/**
 * Runs once when the server starts: invalid configuration or an unreachable database stops start-up
 * here, with a message naming the problem, instead of failing on the first request.
 */
import { ConfigError, getEnv } from './lib/env';
import { closeDatabase, getDatabase } from './lib/db/client';
import { startInventorySchedule, stopInventorySchedule } from './lib/inventory/refresh';
import { discoverIfNoneYet } from './lib/accounts/discovery';
import { startReminderSchedule, stopReminderSchedule } from './lib/program/reminders/run';
import { startEventConsumer, stopEventConsumer } from './lib/events/consumer';
import { beginDraining, inFlightWork, releaseHeldLeases, trackWork } from './lib/ops/lifecycle';
import { installShutdown } from './lib/ops/process-shutdown';

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
  console.log(`[mfa-portal] storage ready (${db.kind}), migrations applied`);
  startInventorySchedule();
  // In the background: Organizations being unreachable must not stop start-up (the next inventory run retries).
  void discoverIfNoneYet(db.db).catch((error: unknown) => console.error(`[mfa-portal] account discovery at start-up failed: ${(error as Error).message}`));
  startReminderSchedule();
  startEventConsumer();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `[mfa-portal] start-up failed: ${(error as Error).message}`);
  process.exit(1);
}
