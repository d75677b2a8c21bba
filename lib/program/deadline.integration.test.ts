import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { getDb, type Db } from '@/lib/db/client';
import { auditLog, inventoryUsers, programCategories } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import { classify } from '@/lib/inventory/classify';
import { toRow } from '@/lib/inventory/store';
import { saveCategory } from './categories';
import { categoryInputSchema, type CategoryInput } from './program-input';

// A deadline in the past is saved only with an explicit "enforce from now" that names whom it affects at once.
let db: Db;
const A = '111111111111';
const tag = randomBytes(3).toString('hex');
const group = `deadline-${tag}`;
const names = { none: `dl-${tag}-none`, virtual: `dl-${tag}-virtual`, hardware: `dl-${tag}-hw`, noConsole: `dl-${tag}-nocons` };
const categoryNames = [`Past ${tag}`, `Past renamed ${tag}`, `Future ${tag}`];
const security: Actor = { id: 'dave@example.com', email: 'dave@example.com', name: 'Dave', method: 'oidc', roles: ['member', 'admin', 'security'], principals: [], authTime: 0 };

const user = (userName: string, consoleAccess: boolean, types: ('virtual' | 'hardware')[]) =>
  toRow(
    classify({
      accountId: A,
      userName,
      arn: `arn:aws:iam::${A}:user/${userName}`,
      path: '/',
      createdAt: null,
      tags: {},
      groups: [group],
      consoleAccess,
      passwordLastUsed: undefined,
      accessKeyLastUsed: null,
      devices: types.map((type, i) => ({ serial: `${userName}-${type}-${i}`, type, name: `${userName}-${i}`, enabledAt: null })),
      leftoverDevices: [],
    }),
    'inventory',
    null,
    new Date(),
  );

beforeAll(async () => {
  await useLocalStack();
  db = await getDb();
  await db.insert(inventoryUsers).values([user(names.none, true, []), user(names.virtual, true, ['virtual']), user(names.hardware, true, ['hardware']), user(names.noConsole, false, [])]);
});

afterAll(async () => {
  await db.delete(programCategories).where(inArray(programCategories.name, categoryNames));
  await db.delete(inventoryUsers).where(and(eq(inventoryUsers.accountId, A), inArray(inventoryUsers.userName, Object.values(names))));
});

const DAY = 86_400_000;
const local = (d: Date) => d.toISOString().slice(0, 16);
const input = (name: string, deadline: Date): CategoryInput =>
  categoryInputSchema(new Date()).parse({
    name,
    selectorKind: 'group',
    selectorValue: group,
    defaultDecision: 'required',
    allow_hardware: 'on',
    deadline: local(deadline),
    cohort: `dl-${tag}`,
  });
const saved = async (name: string) => (await db.select().from(programCategories).where(eq(programCategories.name, name)))[0];

describe('a deadline in the past', () => {
  const past = new Date(Math.floor((Date.now() - 2 * DAY) / 60_000) * 60_000);

  it('is refused without confirmation, naming how many in-scope users lack compliant MFA, with a sample', async () => {
    const refused = await saveCategory(security, null, input(categoryNames[0]!, past));
    expect(refused).toMatchObject({
      status: 'invalid',
      fieldErrors: {
        deadline: [expect.stringMatching(/is in the past/)],
        enforceFromNow: [expect.stringMatching(/^Saving it enforces MFA from now\. 2 IAM users in scope without compliant MFA would be refused at once: /)],
        enforceFromNowFor: [past.toISOString()],
      },
    });
    const text = refused.status === 'invalid' ? refused.fieldErrors.enforceFromNow![0]! : '';
    expect(text).toContain(`${A}/${names.none} (no MFA)`);
    expect(text).toContain(`${A}/${names.virtual} (no allowed device type)`);
    // Compliant and console-less users are not affected.
    expect(text).not.toContain(names.hardware);
    expect(text).not.toContain(names.noConsole);
    expect(await saved(categoryNames[0]!)).toBeUndefined();
  });

  it('a confirmation given for another deadline does not count', async () => {
    const other = new Date(past.getTime() - DAY).toISOString();
    expect(await saveCategory(security, null, input(categoryNames[0]!, past), { enforceFromNow: other })).toMatchObject({ status: 'invalid' });
    expect(await saveCategory(security, null, input(categoryNames[0]!, past), { enforceFromNow: 'on' })).toMatchObject({ status: 'invalid' });
    expect(await saved(categoryNames[0]!)).toBeUndefined();
  });

  it('is saved with "enforce from now" for that deadline; later edits that keep it need no new confirmation, a new past deadline does', async () => {
    const ok = await saveCategory(security, null, input(categoryNames[0]!, past), { enforceFromNow: past.toISOString() });
    expect(ok).toMatchObject({ status: 'success' });
    const id = ok.status === 'success' ? ok.data.id : 0;
    expect((await saved(categoryNames[0]!))!.deadline.toISOString()).toBe(past.toISOString());
    const created = await db.select().from(auditLog).where(and(eq(auditLog.action, 'program.category.create'), eq(auditLog.target, `category:${id}`)));
    expect(created.map((r) => r.detail)).toEqual([expect.objectContaining({ enforcedFromNow: true })]);

    expect(await saveCategory(security, id, input(categoryNames[1]!, past))).toMatchObject({ status: 'success' });
    const kept = await db.select().from(auditLog).where(and(eq(auditLog.action, 'program.category.update'), eq(auditLog.target, `category:${id}`)));
    expect(kept.map((r) => r.detail)).toEqual([expect.not.objectContaining({ enforcedFromNow: true })]);
    const earlier = new Date(past.getTime() - DAY);
    expect(await saveCategory(security, id, input(categoryNames[1]!, earlier))).toMatchObject({ status: 'invalid', fieldErrors: { enforceFromNowFor: [earlier.toISOString()] } });
    expect((await saved(categoryNames[1]!))!.deadline.toISOString()).toBe(past.toISOString());
    await db.delete(programCategories).where(eq(programCategories.id, id));
  });

  it('a future deadline needs no confirmation', async () => {
    expect(await saveCategory(security, null, input(categoryNames[2]!, new Date(Date.now() + 30 * DAY)))).toMatchObject({ status: 'success' });
  });
});
