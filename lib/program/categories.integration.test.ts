import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { programCategories, programUsers } from '@/lib/db/schema';
import { ForbiddenError } from '@/lib/auth/roles';
import { deleteCategory, moveCategory, previewDraft, previewProgram, saveCategory } from './categories';
import { setDecision } from './decisions';
import { setReminderDays } from './settings';
import { A, B, admin, db, input, insertUsers, lastAudit, member, programStack, reset, security } from './program-test-setup';

// Every change the security team makes to the categories is validated, applied and audited with before and after.
programStack();

describe('categories', () => {
  beforeEach(reset);

  it('create, update and delete are audited with before and after; a deadline change is marked', async () => {
    const created = await saveCategory(security, null, input({ name: 'Prod admins', cohort: 'prod-admins' }));
    expect(created.status).toBe('success');
    const id = created.status === 'success' ? created.data.id : 0;
    const c = await lastAudit('program.category.create');
    expect(c).toMatchObject({ actor: security.id, target: `category:${id}`, outcome: 'success' });
    expect(c!.detail).toMatchObject({ before: null, after: { name: 'Prod admins', cohort: 'prod-admins', deadline: '2027-03-01T17:00:00.000Z' } });

    expect((await saveCategory(security, id, input({ name: 'Prod admins', cohort: 'prod-admins', deadline: '2027-04-01T17:00' }))).status).toBe('success');
    const u = await lastAudit('program.category.update');
    expect(u!.detail).toMatchObject({ before: { deadline: '2027-03-01T17:00:00.000Z' }, after: { deadline: '2027-04-01T17:00:00.000Z' }, deadlineChanged: true });

    expect((await deleteCategory(security, id)).status).toBe('success');
    expect((await lastAudit('program.category.delete'))!.detail).toMatchObject({ before: { name: 'Prod admins' }, after: null });
  });

  it('refuses a duplicate name, an unmanaged account, and a second deadline for one cohort, each on its field', async () => {
    await saveCategory(security, null, input({ name: 'Prod admins', cohort: 'wave-1' }));
    const dup = await saveCategory(security, null, input({ name: 'PROD ADMINS', cohort: 'wave-2' }));
    expect(dup).toMatchObject({ status: 'invalid', fieldErrors: { name: [expect.stringMatching(/already exists/)] } });
    const acct = await saveCategory(security, null, input({ name: 'Other', selectorValue: '999999999999', cohort: 'wave-3' }));
    expect(acct).toMatchObject({ status: 'invalid', fieldErrors: { selectorValue: [expect.stringMatching(/not one of the accounts/)] } });
    const cohort = await saveCategory(security, null, input({ name: 'Dev admins', cohort: 'wave-1', deadline: '2027-05-01T17:00' }));
    expect(cohort).toMatchObject({ status: 'invalid', fieldErrors: { cohort: [expect.stringMatching(/share its deadline/)] } });
    expect(await db.select().from(programCategories)).toHaveLength(1);
  });

  it('only the security team changes categories; admins and members are refused', async () => {
    await expect(saveCategory(admin, null, input({ name: 'X', cohort: 'x' }))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(saveCategory(member, null, input({ name: 'X', cohort: 'x' }))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(previewProgram(member)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(setReminderDays(db, admin, '3')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('reordering changes who a category captures, and is audited', async () => {
    await insertUsers([{ accountId: A, userName: 'ann', path: '/', tags: {}, groups: ['Admins'], consoleAccess: true, types: [] }]);
    expect((await saveCategory(security, null, input({ name: 'Account A', cohort: 'acct-a' }))).status).toBe('success');
    const adm = await saveCategory(security, null, input({ name: 'Admins', selectorKind: 'group', selectorValue: 'Admins', cohort: 'admins' }));
    const idOf = (r: typeof adm) => (r.status === 'success' ? r.data.id : 0);
    const who = async () => (await db.select({ c: programUsers.categoryName }).from(programUsers).where(eq(programUsers.userName, 'ann')))[0]!.c;
    expect(await who()).toBe('Account A');
    expect(await moveCategory(security, idOf(adm), 'up')).toMatchObject({ status: 'success', data: { order: ['Admins', 'Account A'] } });
    expect(await who()).toBe('Admins');
    expect((await lastAudit('program.category.reorder'))!.detail).toEqual({ before: { order: ['Account A', 'Admins'] }, after: { order: ['Admins', 'Account A'] } });
    expect(await moveCategory(security, idOf(adm), 'up')).toMatchObject({ status: 'success', message: expect.stringMatching(/already first/) });
  });

  it('previews: counts per category, users in none, and a draft before it is saved', async () => {
    await insertUsers([
      { accountId: A, userName: 'ann', path: '/', tags: {}, groups: ['Admins'], consoleAccess: true, types: ['hardware'] },
      { accountId: A, userName: 'bo', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] },
      { accountId: B, userName: 'cy', path: '/', tags: {}, groups: ['Admins'], consoleAccess: false, types: [] },
    ]);
    await saveCategory(security, null, input({ name: 'Account A', cohort: 'acct-a' }));
    const p = await previewProgram(admin);
    expect(p.categories).toEqual([expect.objectContaining({ name: 'Account A', users: 2, consoleUsers: 2, inScope: 2, compliant: 1 })]);
    expect(p.unmatched).toMatchObject({ users: 1, consoleUsers: 0, sample: [expect.objectContaining({ userName: 'cy' })] });
    const draft = await previewDraft(security, input({ name: 'Admins', selectorKind: 'group', selectorValue: 'Admins', cohort: 'admins' }), null);
    expect(draft).toEqual({ matches: 2, consoleMatches: 1, captured: 1, takenByEarlier: [{ name: 'Account A', users: 1 }] });
  });

  it('a category an override points at cannot be deleted', async () => {
    await insertUsers([{ accountId: B, userName: 'bo', path: '/', tags: {}, groups: [], consoleAccess: true, types: [] }]);
    const r = await saveCategory(security, null, input({ name: 'Account A', cohort: 'acct-a' }));
    const id = r.status === 'success' ? r.data.id : 0;
    expect((await setDecision(admin, { accountId: B, userName: 'bo' }, { categoryId: id, decision: null, reason: null, expiresAt: null })).status).toBe('success');
    expect(await deleteCategory(security, id)).toMatchObject({ status: 'error', code: 'InUse' });
  });
});
