/** `npm run bench`: prints benchmark figures for each section. Sections: enrollment. */
import { benchEnrollment } from './enrollment';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

if (want('enrollment')) await benchEnrollment({ runs: Number(process.env.BENCH_RUNS ?? 60) });
if (want('inventory')) await (await import('./inventory')).benchInventory({ sizes: process.env.BENCH_INVENTORY_SIZES?.split(',').map(Number) });
process.exit(0);
