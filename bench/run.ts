/**
 * `npm run bench [section…]`: prints benchmark figures. Sections: enrollment, inventory (one account, then many:
 * inventory-scale alone), pages (pages needs `npm run build`), signin, freshness (IAM change events).
 */
import { benchEnrollment } from './enrollment';

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

if (want('enrollment')) await benchEnrollment({ runs: Number(process.env.BENCH_RUNS ?? 60) });
if (want('inventory')) await (await import('./inventory')).benchInventory({ sizes: process.env.BENCH_INVENTORY_SIZES?.split(',').map(Number) });
if (want('inventory') || only.includes('inventory-scale')) await (await import('./inventory-scale')).benchInventoryScale();
if (want('pages')) {
  const database = process.env.BENCH_PAGES_DB === 'pglite' ? 'pglite' : 'postgres';
  await (await import('./pages')).benchPages({ database, users: Number(process.env.BENCH_PAGE_USERS ?? (database === 'postgres' ? 100_000 : 10_000)) });
}
if (want('signin')) await (await import('./signin')).benchSignin();
if (want('freshness')) await (await import('./freshness')).benchFreshness();
process.exit(0);
