/**
 * Runs once when the server starts: invalid configuration or an unreachable database stops start-up
 * here, with a message naming the problem, instead of failing on the first request.
 */
import { ConfigError, getEnv } from './lib/env';
import { getDatabase } from './lib/db/client';
import { startInventorySchedule } from './lib/inventory/refresh';
import { startReminderSchedule } from './lib/program/reminders';

try {
  getEnv();
  const db = await getDatabase();
  console.log(`[mfa-portal] storage ready (${db.kind}), migrations applied`);
  startInventorySchedule();
  startReminderSchedule();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `[mfa-portal] start-up failed: ${(error as Error).message}`);
  process.exit(1);
}
