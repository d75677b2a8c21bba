/**
 * Demo data for the enrollment program, written into the portal's database before `npm run demo` starts the
 * portal (PGlite allows one process per directory). The demo starts every session with a fresh database
 * (demo-database.ts), so the program is the demo's own each time; an existing program is still left alone, never
 * doubled. Run with `--conditions=react-server` (it uses lib/db).
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { openDatabase } from '@/lib/db/client';
import { hardwareTokens, programCategories, programDecisions } from '@/lib/db/schema';

const DAY_MS = 86_400_000;

type Token = { serial: string; accountId?: string; userName?: string };

const at = (now: Date, days: number, hour = 17) => {
  const d = new Date(now.getTime() + days * DAY_MS);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
};

/** The demo program's categories (also the inventory benchmark's program). */
export function demoCategories(now: Date): (typeof programCategories.$inferInsert)[] {
  const by = 'demo-seed';
  const all = ['virtual', 'hardware', 'fido'] as ('virtual' | 'hardware' | 'fido')[];
  return [
    { name: 'Operators', position: 1, selectorKind: 'group', selectorValue: 'operators', defaultDecision: 'required', allowedDeviceTypes: ['hardware', 'fido'], minDevices: 2, deadline: at(now, 21), cohort: 'operators', updatedBy: by },
    { name: 'Security account', position: 2, selectorKind: 'account', selectorValue: '333333333333', defaultDecision: 'required', allowedDeviceTypes: ['hardware', 'fido'], minDevices: 1, deadline: at(now, 14), cohort: 'security', updatedBy: by },
    { name: 'Production', position: 3, selectorKind: 'account', selectorValue: '111111111111', defaultDecision: 'required', allowedDeviceTypes: all, minDevices: 1, deadline: at(now, 45), cohort: 'prod', updatedBy: by },
    { name: 'Development', position: 4, selectorKind: 'account', selectorValue: '222222222222', defaultDecision: 'required', allowedDeviceTypes: all, minDevices: 1, deadline: at(now, 75), cohort: 'dev', updatedBy: by },
  ];
}

export async function seedDemoProgram(databaseUrl: string, tokensFile: string, now = new Date()): Promise<string> {
  const { db, close } = await openDatabase(databaseUrl);
  try {
    const [{ n }] = (await db.select({ n: sql<number>`count(*)::int` }).from(programCategories)) as [{ n: number }];
    if (n > 0) return `kept the existing program (${n} categories)`;
    const by = 'demo-seed';
    await db.insert(programCategories).values(demoCategories(now));
    await db.insert(programDecisions).values({
      accountId: '111111111111',
      userName: 'break-glass',
      decision: 'exception',
      reason: 'Sealed-envelope emergency access: the password is in the safe and MFA would lock us out in a disaster.',
      approver: 'Dave Kowalski (security)',
      expiresAt: at(now, 180, 0),
      decidedBy: by,
    });
    // Every enrolled token but two is registered (the register reports those two), plus three spares in stock.
    const tokens = JSON.parse(await readFile(tokensFile, 'utf8')) as Token[];
    const issued = tokens.filter((t) => t.userName).slice(2);
    const spares = tokens.filter((t) => !t.userName).slice(0, 3);
    const rows = [
      ...issued.map((t) => ({ serial: t.serial, model: 'Gemalto eToken PASS', issuedAccountId: t.accountId!, issuedUserName: t.userName!, issuedAt: at(now, -30, 9), updatedBy: by })),
      ...spares.map((t) => ({ serial: t.serial, model: 'Gemalto eToken PASS', updatedBy: by })),
    ];
    if (rows.length) await db.insert(hardwareTokens).values(rows).onConflictDoNothing();
    return `4 categories, 1 exception, ${rows.length} hardware tokens`;
  } finally {
    await close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [databaseUrl, tokensFile] = process.argv.slice(2);
  if (!databaseUrl || !tokensFile) throw new Error('usage: demo-program.ts <DATABASE_URL> <hardware-tokens.json>');
  console.log(`Demo program: ${await seedDemoProgram(databaseUrl, tokensFile)}`);
}
