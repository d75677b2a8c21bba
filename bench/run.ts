/** `npm run bench [section…]`: prints benchmark figures. Sections: enrollment, inventory, pages (pages needs `npm run build`). */
import { benchEnrollment } from './enrollment';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

if (want('enrollment')) await benchEnrollment({ runs: Number(process.env.BENCH_RUNS ?? 60) });
if (want('inventory')) await (await import('./inventory')).benchInventory({ sizes: process.env.BENCH_INVENTORY_SIZES?.split(',').map(Number) });
if (want('pages')) await (await import('./pages')).benchPages({ users: Number(process.env.BENCH_PAGE_USERS ?? 10_000) });
process.exit(0);
