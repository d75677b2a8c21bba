import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { useLocalStack } from '@/test-support/stack';
import { getDb, type Db } from '@/lib/db/client';
import { getEnv } from '@/lib/env';
import { auditLog, hardwareTokens, inventoryUsers } from '@/lib/db/schema';
import { ForbiddenError } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import type { TokenInput } from './token-input';
import { addToken, getTokenReport, importTokens, issuedTokenFor, listTokens, removeToken, returnToken, updateToken } from './tokens';

// The register on its own database (no AWS): the stored inventory is written directly to set up each case.
let db: Db;
let A: string;
let B: string;

const admin: Actor = { id: 'carol@example.com', email: 'carol@example.com', name: 'Carol', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
const memberOf = (accountId: string, userName: string): Actor => ({
  id: `arn:aws:iam::${accountId}:user/${userName}`,
  email: null,
  name: userName,
  method: 'aws-keys',
  roles: ['member'],
  principals: [{ accountId, userName, arn: `arn:aws:iam::${accountId}:user/${userName}` }],
  authTime: 0,
});

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const token = (serial: string, issue: { accountId: string; userName: string; issuedAt?: string } | null = null, over: Partial<TokenInput> = {}): TokenInput => ({
  serial,
  model: 'SafeNet OTP 110',
  issue: issue && { accountId: issue.accountId, userName: issue.userName, issuedAt: day(issue.issuedAt ?? '2026-01-15') },
  note: null,
  ...over,
});

type Device = { serial: string; type: 'virtual' | 'hardware' | 'fido'; name: string; enabledAt: string | null };
const hardware = (serial: string): Device => ({ serial, type: 'hardware', name: serial, enabledAt: '2026-02-01T10:00:00.000Z' });
async function inventoryUser(accountId: string, userName: string, devices: Device[]) {
  await db.insert(inventoryUsers).values({
    accountId,
    userName,
    arn: `arn:aws:iam::${accountId}:user/${userName}`,
    consoleAccess: true,
    devices,
    mfaState: devices.length ? 'enabled' : 'none',
    source: 'inventory',
  });
}

const audits = (action: string) => db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(asc(auditLog.id));
const registered = async () => (await db.select({ serial: hardwareTokens.serial }).from(hardwareTokens).orderBy(asc(hardwareTokens.serial))).map((r) => r.serial);
const allFilters = { filter: 'all', q: undefined, page: 1 } as const;

beforeAll(async () => {
  await useLocalStack();
  db = await getDb();
  [A, B] = getEnv().MFA_ACCOUNTS.map((a) => a.id) as [string, string];
});

async function reset() {
  await db.delete(hardwareTokens);
  await db.delete(inventoryUsers);
}

describe('adding, editing and removing tokens', () => {
  beforeEach(reset);

  it('adds a token issued to a user, audited with before null and after', async () => {
    const result = await addToken(admin, token('GAHT10000001', { accountId: A, userName: 'alice' }, { note: 'box 3' }));
    expect(result).toEqual({ status: 'success', data: { serial: 'GAHT10000001' }, message: 'Token GAHT10000001 added, issued to alice.' });
    const [row] = await db.select().from(hardwareTokens).where(eq(hardwareTokens.serial, 'GAHT10000001'));
    expect(row).toMatchObject({ model: 'SafeNet OTP 110', issuedAccountId: A, issuedUserName: 'alice', issuedAt: day('2026-01-15'), note: 'box 3', updatedBy: admin.id });
    const [entry] = (await audits('program.token.add')).slice(-1);
    expect(entry).toMatchObject({
      actor: admin.id,
      target: 'token:GAHT10000001',
      outcome: 'success',
      detail: { before: null, after: { serial: 'GAHT10000001', model: 'SafeNet OTP 110', issuedTo: `${A}/alice`, issuedAt: '2026-01-15', note: 'box 3' } },
    });
  });

  it('refuses a serial already registered with a field error, and audits nothing', async () => {
    await addToken(admin, token('GAHT10000002'));
    const before = (await audits('program.token.add')).length;
    const again = await addToken(admin, token('GAHT10000002', { accountId: B, userName: 'bob' }));
    expect(again).toMatchObject({ status: 'invalid', fieldErrors: { serial: [expect.stringMatching(/GAHT10000002 is already in the register/)] } });
    expect((await audits('program.token.add')).length).toBe(before);
    expect((await db.select().from(hardwareTokens).where(eq(hardwareTokens.serial, 'GAHT10000002')))[0]?.issuedUserName).toBeNull();
  });

  it('re-issues, returns to stock and removes, each audited with before and after', async () => {
    await addToken(admin, token('GAHT10000003', { accountId: A, userName: 'alice' }));
    const reissued = await updateToken(admin, token('GAHT10000003', { accountId: B, userName: 'bob', issuedAt: '2026-02-20' }, { model: 'SafeNet OTP 110 v2', note: 'replacement' }));
    expect(reissued.status).toBe('success');
    const returned = await returnToken(admin, 'GAHT10000003');
    expect(returned).toMatchObject({ status: 'success', message: 'Token GAHT10000003 returned to stock (it was issued to bob).' });
    expect(await returnToken(admin, 'GAHT10000003')).toMatchObject({ status: 'success', message: 'Token GAHT10000003 is already in stock.' });
    const removed = await removeToken(admin, 'GAHT10000003');
    expect(removed.status).toBe('success');
    expect(await registered()).not.toContain('GAHT10000003');

    const updates = (await audits('program.token.update')).filter((e) => e.target === 'token:GAHT10000003').map((e) => e.detail);
    expect(updates).toEqual([
      {
        before: { serial: 'GAHT10000003', model: 'SafeNet OTP 110', issuedTo: `${A}/alice`, issuedAt: '2026-01-15', note: null },
        after: { serial: 'GAHT10000003', model: 'SafeNet OTP 110 v2', issuedTo: `${B}/bob`, issuedAt: '2026-02-20', note: 'replacement' },
      },
      {
        before: { serial: 'GAHT10000003', model: 'SafeNet OTP 110 v2', issuedTo: `${B}/bob`, issuedAt: '2026-02-20', note: 'replacement' },
        after: { serial: 'GAHT10000003', model: 'SafeNet OTP 110 v2', issuedTo: null, issuedAt: null, note: 'replacement' },
      },
    ]);
    const removals = (await audits('program.token.remove')).filter((e) => e.target === 'token:GAHT10000003');
    expect(removals.map((e) => e.detail)).toEqual([{ before: { serial: 'GAHT10000003', model: 'SafeNet OTP 110 v2', issuedTo: null, issuedAt: null, note: 'replacement' }, after: null }]);
  });

  it('says when the token is gone instead of editing or removing nothing', async () => {
    expect(await updateToken(admin, token('GAHT19999999'))).toMatchObject({ status: 'error', code: 'NotFound' });
    expect(await returnToken(admin, 'GAHT19999999')).toMatchObject({ status: 'error', code: 'NotFound' });
    expect(await removeToken(admin, 'GAHT19999999')).toMatchObject({ status: 'error', code: 'NotFound' });
  });
});

describe('CSV import', () => {
  beforeEach(reset);
  const header = 'serial,model,accountId,userName,issuedAt';

  it('imports every line, one audit entry each', async () => {
    const before = (await audits('program.token.import')).length;
    const csv = `${header}\nGAHT20000001,SafeNet OTP 110,${A},alice,2026-01-10\ngaht20000002,"Feitian, C200",,,\n`;
    expect(await importTokens(admin, csv, new Date('2026-03-01T12:00:00Z'))).toEqual({ status: 'success', data: { imported: 2 }, message: 'Imported 2 tokens (1 issued, 1 in stock).' });
    expect(await registered()).toEqual(['GAHT20000001', 'GAHT20000002']);
    const entries = (await audits('program.token.import')).slice(before);
    expect(entries.map((e) => [e.target, e.detail])).toEqual([
      ['token:GAHT20000001', { before: null, after: { serial: 'GAHT20000001', model: 'SafeNet OTP 110', issuedTo: `${A}/alice`, issuedAt: '2026-01-10', note: null } }],
      ['token:GAHT20000002', { before: null, after: { serial: 'GAHT20000002', model: 'Feitian, C200', issuedTo: null, issuedAt: null, note: null } }],
    ]);
  });

  it('imports nothing when a line is bad or a serial is already registered, naming each line', async () => {
    await addToken(admin, token('GAHT20000010'));
    const bad = await importTokens(admin, `${header}\nGAHT20000011,M,,,\nnope,M,,,\nGAHT20000012,,,,`);
    expect(bad).toMatchObject({ status: 'invalid', fieldErrors: { csv: ['Line 3: serial: A token serial is at least 9 characters; copy it from the back of the token.', 'Line 4: model: Give the model, e.g. SafeNet OTP 110.'] } });
    const taken = await importTokens(admin, `${header}\nGAHT20000013,M,,,\nGAHT20000010,M,,,`);
    expect(taken).toMatchObject({ status: 'invalid', fieldErrors: { csv: ['Line 3: serial: GAHT20000010 is already in the register.'] } });
    expect(await registered()).toEqual(['GAHT20000010']);
  });
});

describe('the register against the stored inventory', () => {
  beforeAll(async () => {
    await reset();
    // T1 enabled on the user it is issued to; T2 issued to carol, enabled on bob; T3 issued to frank, enabled nowhere;
    // T4 in stock; T5 in stock by the register but enabled on gina; U1 and U2 enabled but not registered.
    await inventoryUser(A, 'hw-alice', [hardware('GAHT30000001')]);
    await inventoryUser(A, 'hw-bob', [hardware('GAHT30000002')]);
    await inventoryUser(A, 'hw-carol', []);
    await inventoryUser(A, 'hw-dave', [hardware('GAHT39000001')]);
    await inventoryUser(B, 'hw-erin', [{ serial: `arn:aws:iam::${B}:mfa/hw-erin`, type: 'virtual', name: 'hw-erin', enabledAt: null }, hardware('GAHT39000002')]);
    await inventoryUser(B, 'hw-gina', [hardware('GAHT30000005')]);
    for (const t of [
      token('GAHT30000001', { accountId: A, userName: 'hw-alice' }),
      token('GAHT30000002', { accountId: A, userName: 'hw-carol', issuedAt: '2026-01-20' }),
      token('GAHT30000003', { accountId: A, userName: 'hw-frank' }),
      token('GAHT30000004'),
      token('GAHT30000005'),
    ]) {
      expect((await addToken(admin, t)).status).toBe('success');
    }
  });

  it('reports issued-not-enrolled, enrolled-not-registered and enrolled-on-someone-else exactly', async () => {
    const report = await getTokenReport(admin);
    expect(report.inventoryAt).toBeNull();
    expect(report.issuedNotEnrolled.map((t) => [t.serial, t.issuedUserName, t.enrolledOn.map((e) => `${e.accountId}/${e.userName}`)])).toEqual([
      ['GAHT30000002', 'hw-carol', [`${A}/hw-bob`]],
      ['GAHT30000003', 'hw-frank', []],
    ]);
    expect(report.enrolledNotRegistered).toEqual([
      { accountId: A, userName: 'hw-dave', serial: 'GAHT39000001', enabledAt: '2026-02-01T10:00:00.000Z' },
      { accountId: B, userName: 'hw-erin', serial: 'GAHT39000002', enabledAt: '2026-02-01T10:00:00.000Z' },
    ]);
    expect(report.enrolledOnOther.map((t) => [t.serial, t.issuedUserName, t.enrolledOn.map((e) => e.userName)])).toEqual([['GAHT30000002', 'hw-carol', ['hw-bob']]]);
  });

  it('filters and searches the register, with a status per token', async () => {
    const all = await listTokens(admin, allFilters);
    expect(all.rows.map((t) => [t.serial, t.status])).toEqual([
      ['GAHT30000001', 'enrolled'],
      ['GAHT30000002', 'enrolled-elsewhere'],
      ['GAHT30000003', 'issued'],
      ['GAHT30000004', 'in-stock'],
      ['GAHT30000005', 'enrolled-unissued'],
    ]);
    expect(all.counts).toEqual({ all: 5, 'issued-not-enrolled': 2, enrolled: 3, unissued: 2 });
    const serials = async (f: Partial<typeof allFilters> | { filter: string; q?: string }) => (await listTokens(admin, { ...allFilters, ...f } as typeof allFilters)).rows.map((t) => t.serial);
    expect(await serials({ filter: 'issued-not-enrolled' })).toEqual(['GAHT30000002', 'GAHT30000003']);
    expect(await serials({ filter: 'enrolled' })).toEqual(['GAHT30000001', 'GAHT30000002', 'GAHT30000005']);
    expect(await serials({ filter: 'unissued' })).toEqual(['GAHT30000004', 'GAHT30000005']);
    expect(await serials({ filter: 'all', q: 'HW-CAROL' })).toEqual(['GAHT30000002']);
    expect(await serials({ filter: 'all', q: 'hw-bob' })).toEqual(['GAHT30000002']);
    expect(await serials({ filter: 'unissued', q: '30000004' })).toEqual(['GAHT30000004']);
  });

  it('issuedTokenFor gives the serial issued to a user and enabled nowhere yet', async () => {
    expect(await issuedTokenFor(memberOf(A, 'hw-frank'), { accountId: A, userName: 'hw-frank' })).toEqual({ serial: 'GAHT30000003', model: 'SafeNet OTP 110', issuedAt: day('2026-01-15') });
    expect(await issuedTokenFor(admin, { accountId: A, userName: 'hw-frank' })).toMatchObject({ serial: 'GAHT30000003' });
    // Enabled on the user already; enabled on someone else (enrolling it would fail); nothing issued.
    expect(await issuedTokenFor(memberOf(A, 'hw-alice'), { accountId: A, userName: 'hw-alice' })).toBeNull();
    expect(await issuedTokenFor(memberOf(A, 'hw-carol'), { accountId: A, userName: 'hw-carol' })).toBeNull();
    expect(await issuedTokenFor(memberOf(A, 'hw-dave'), { accountId: A, userName: 'hw-dave' })).toBeNull();
    // The same user name in another account is another IAM user.
    expect(await issuedTokenFor(memberOf(B, 'hw-frank'), { accountId: B, userName: 'hw-frank' })).toBeNull();
  });

  it('once the issued user enables it, the token leaves issued-not-enrolled and is no longer offered', async () => {
    await inventoryUser(A, 'hw-frank', [hardware('GAHT30000003')]);
    const report = await getTokenReport(admin);
    expect(report.issuedNotEnrolled.map((t) => t.serial)).toEqual(['GAHT30000002']);
    expect(await issuedTokenFor(memberOf(A, 'hw-frank'), { accountId: A, userName: 'hw-frank' })).toBeNull();
  });
});

describe('a member', () => {
  it('is refused every register operation, and nothing changes', async () => {
    await reset();
    await addToken(admin, token('GAHT40000001', { accountId: A, userName: 'alice' }));
    const alice = memberOf(A, 'alice');
    const auditCount = (await db.select().from(auditLog)).length;
    await expect(listTokens(alice, allFilters)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getTokenReport(alice)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(addToken(alice, token('GAHT40000002'))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(updateToken(alice, token('GAHT40000001'))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(returnToken(alice, 'GAHT40000001')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(removeToken(alice, 'GAHT40000001')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(importTokens(alice, 'serial,model,accountId,userName,issuedAt\nGAHT40000003,M,,,')).rejects.toBeInstanceOf(ForbiddenError);
    // Her own IAM user's token is hers to see; another person's is not.
    expect(await issuedTokenFor(alice, { accountId: A, userName: 'alice' })).toMatchObject({ serial: 'GAHT40000001' });
    await expect(issuedTokenFor(alice, { accountId: A, userName: 'bob' })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await registered()).toEqual(['GAHT40000001']);
    expect((await db.select().from(auditLog)).length).toBe(auditCount);
  });
});
