import { expect, type Page } from '@playwright/test';
import { schedulerAuth } from './secrets';

/**
 * Waits until a stored inventory exists, starting one (as the scheduler would) only when there is none. Specs run in
 * parallel, so another may be collecting it at this moment: the cron route answers 409 then, and we wait for that run.
 */
export async function ensureInventory(page: Page) {
  await expect(async () => {
    await page.goto('/admin/tokens');
    if (await page.getByText('No inventory yet').isVisible()) expect([202, 409]).toContain((await page.request.post('/api/cron/inventory', { headers: schedulerAuth() })).status());
    await expect(page.getByText(/Compared with the stored inventory \(collected/)).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 120_000, intervals: [3_000] });
}
