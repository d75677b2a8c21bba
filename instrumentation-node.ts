/**
 * Runs once when the server starts: invalid configuration or an unreachable database stops start-up
 * here, with a message naming the problem, instead of failing on the first request.
 */
import { ConfigError, getEnv } from './lib/env';
import { getDatabase } from './lib/db/client';
import { startInventorySchedule } from './lib/inventory/refresh';
import { discoverIfNoneYet } from './lib/accounts/discovery';
import { startReminderSchedule } from './lib/program/reminders/run';
import { startEventConsumer } from './lib/events/consumer';

try {
  getEnv();
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
