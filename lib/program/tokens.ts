import 'server-only';
import { managedAccountIds } from '@/lib/accounts/registry';
import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { hardwareTokens, inventoryRuns, inventoryUsers } from '@/lib/db/schema';
import { recordAudit } from '@/lib/audit/log';
import { assertRole, ForbiddenError, hasRole } from '@/lib/auth/roles';
import type { Actor, Principal } from '@/lib/auth/types';
import { fail, invalid, ok, type ActionResult } from '@/lib/actions/result';
import { isoDay } from '@/lib/format';
import { csvErrorText, PAGE_SIZE, parseTokenCsv, type TokenFilter, type TokenFilters, type TokenInput } from './token-input';
import { isUniqueViolation } from '@/lib/db/errors';

export type TokenRow = typeof hardwareTokens.$inferSelect;
/** Where the stored inventory says a serial is enabled. */
export type Enrolment = { accountId: string; userName: string; enabledAt: string | null };
/** A hardware device in the inventory, with the serial as AWS reports it. */
export type InventoryHardware = Enrolment & { serial: string };

/**
 * in-stock: not issued, not enrolled; issued: issued, enrolled nowhere; enrolled: on the user it is issued to;
 * enrolled-elsewhere: issued, but enrolled only on someone else; enrolled-unissued: in stock by the register, yet enrolled.
 */
export type TokenStatus = 'in-stock' | 'issued' | 'enrolled' | 'enrolled-elsewhere' | 'enrolled-unissued';
export type TokenView = TokenRow & { status: TokenStatus; enrolledOn: Enrolment[] };

export type TokenReport = {
  /** Issued to a user who has no hardware device with that serial (enrolledOn: where it is enabled instead, if anywhere). */
  issuedNotEnrolled: TokenView[];
  /** Hardware devices in the inventory whose serial is not in the register. */
  enrolledNotRegistered: InventoryHardware[];
  /** Issued to one user, enabled on another. */
  enrolledOnOther: TokenView[];
  /** When the inventory the report compares against was last collected; null before the first collection. */
  inventoryAt: Date | null;
};

const assertAdmin = (actor: Actor) => assertRole(actor.roles, 'admin', 'the hardware token register');
const key = (serial: string) => serial.toUpperCase();
const sameUser = (a: { accountId: string; userName: string }, accountId: string | null, userName: string | null) => a.accountId === accountId && a.userName === userName;
const byUser = (a: Enrolment, b: Enrolment) => a.accountId.localeCompare(b.accountId) || a.userName.localeCompare(b.userName);

/** What the audit log keeps of a token: every field a person set. */
function auditView(t: Pick<TokenRow, 'serial' | 'model' | 'issuedAccountId' | 'issuedUserName' | 'issuedAt' | 'note'>) {
  return {
    serial: t.serial,
    model: t.model,
    issuedTo: t.issuedAccountId && t.issuedUserName ? `${t.issuedAccountId}/${t.issuedUserName}` : null,
    issuedAt: t.issuedAt ? isoDay(t.issuedAt) : null,
    note: t.note,
  };
}

const toValues = (input: TokenInput, actor: Actor) => ({
  serial: input.serial,
  model: input.model,
  issuedAccountId: input.issue?.accountId ?? null,
  issuedUserName: input.issue?.userName ?? null,
  issuedAt: input.issue?.issuedAt ?? null,
  note: input.note,
  updatedAt: new Date(),
  updatedBy: actor.id,
});

const duplicate = (serial: string) => invalid({ serial: [`Token ${serial} is already in the register: find it in the table below and edit it instead.`] }, 'Check the highlighted fields.');

/** The hardware devices in the stored inventory (only these serials, when given). Hardware users are a small share of an organisation. */
async function inventoryHardware(db: Db, serials?: readonly string[]): Promise<InventoryHardware[]> {
  const u = inventoryUsers;
  const only = serials
    ? sql` AND EXISTS (SELECT 1 FROM jsonb_array_elements(${u.devices}) d WHERE upper(d->>'serial') IN (${sql.join(serials.map((s) => sql`${key(s)}`), sql`, `)}))`
    : sql``;
  const rows = await db
    .select({ accountId: u.accountId, userName: u.userName, devices: u.devices })
    .from(u)
    .where(sql`${u.devices} @> '[{"type":"hardware"}]'::jsonb${only}`);
  return rows.flatMap((r) => r.devices.filter((d) => d.type === 'hardware').map((d) => ({ accountId: r.accountId, userName: r.userName, serial: d.serial, enabledAt: d.enabledAt })));
}

/** Each token with where the inventory has it enabled, and what that means against who it is issued to. */
export function classifyTokens(tokens: readonly TokenRow[], devices: readonly InventoryHardware[]): TokenView[] {
  const bySerial = new Map<string, Enrolment[]>();
  for (const d of devices) {
    const list = bySerial.get(key(d.serial)) ?? [];
    list.push({ accountId: d.accountId, userName: d.userName, enabledAt: d.enabledAt });
    bySerial.set(key(d.serial), list);
  }
  return tokens.map((t) => {
    const enrolledOn = (bySerial.get(key(t.serial)) ?? []).sort(byUser);
    const issued = t.issuedAccountId !== null && t.issuedUserName !== null;
    let status: TokenStatus;
    if (!issued) status = enrolledOn.length ? 'enrolled-unissued' : 'in-stock';
    else if (enrolledOn.some((e) => sameUser(e, t.issuedAccountId, t.issuedUserName))) status = 'enrolled';
    else status = enrolledOn.length ? 'enrolled-elsewhere' : 'issued';
    return { ...t, status, enrolledOn };
  });
}

const matchesFilter: Record<TokenFilter, (t: TokenView) => boolean> = {
  all: () => true,
  'issued-not-enrolled': (t) => t.status === 'issued' || t.status === 'enrolled-elsewhere',
  enrolled: (t) => t.enrolledOn.length > 0,
  unissued: (t) => t.issuedAccountId === null,
};

function matchesSearch(t: TokenView, q: string | undefined): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return [t.serial, t.issuedUserName ?? '', t.issuedAccountId ?? '', ...t.enrolledOn.map((e) => e.userName)].some((s) => s.toLowerCase().includes(needle));
}

async function loadViews(db: Db): Promise<{ views: TokenView[]; devices: InventoryHardware[] }> {
  const [tokens, devices] = await Promise.all([db.select().from(hardwareTokens).orderBy(asc(hardwareTokens.serial)), inventoryHardware(db)]);
  return { views: classifyTokens(tokens, devices), devices };
}

export type TokenList = { rows: TokenView[]; total: number; counts: Record<TokenFilter, number> };

/**
 * The register, filtered and searched (serial, issued user, account or the user it is enabled on), a page at a time.
 * The whole register is classified in memory: it is as large as the organisation's stock of tokens.
 */
export async function listTokens(actor: Actor, f: TokenFilters): Promise<TokenList> {
  assertAdmin(actor);
  const { views } = await loadViews(await getDb());
  const searched = views.filter((t) => matchesSearch(t, f.q));
  const counts = Object.fromEntries(Object.entries(matchesFilter).map(([name, test]) => [name, searched.filter(test).length])) as Record<TokenFilter, number>;
  const filtered = searched.filter(matchesFilter[f.filter]);
  return { rows: filtered.slice((f.page - 1) * PAGE_SIZE, f.page * PAGE_SIZE), total: filtered.length, counts };
}

/** The register against the stored inventory: issued but not enrolled, enrolled but not registered, enrolled on someone else. */
export async function getTokenReport(actor: Actor): Promise<TokenReport> {
  assertAdmin(actor);
  const db = await getDb();
  const [{ views, devices }, [run]] = await Promise.all([
    loadViews(db),
    db
      .select({ finishedAt: inventoryRuns.finishedAt })
      .from(inventoryRuns)
      .where(and(inArray(inventoryRuns.status, ['succeeded', 'partial']), isNotNull(inventoryRuns.finishedAt)))
      .orderBy(desc(inventoryRuns.startedAt))
      .limit(1),
  ]);
  const registered = new Set(views.map((t) => key(t.serial)));
  const byIssued = (a: TokenView, b: TokenView) =>
    (a.issuedAccountId ?? '').localeCompare(b.issuedAccountId ?? '') || (a.issuedUserName ?? '').localeCompare(b.issuedUserName ?? '') || a.serial.localeCompare(b.serial);
  return {
    issuedNotEnrolled: views.filter(matchesFilter['issued-not-enrolled']).sort(byIssued),
    enrolledNotRegistered: devices.filter((d) => !registered.has(key(d.serial))).sort((a, b) => byUser(a, b) || a.serial.localeCompare(b.serial)),
    enrolledOnOther: views.filter((t) => t.status === 'enrolled-elsewhere').sort(byIssued),
    inventoryAt: run?.finishedAt ?? null,
  };
}

export async function addToken(actor: Actor, input: TokenInput): Promise<ActionResult<{ serial: string }>> {
  assertAdmin(actor);
  const db = await getDb();
  try {
    return await db.transaction(async (tx) => {
      const [existing] = await tx.select({ serial: hardwareTokens.serial }).from(hardwareTokens).where(eq(hardwareTokens.serial, input.serial));
      if (existing) return duplicate(input.serial);
      const [row] = await tx.insert(hardwareTokens).values(toValues(input, actor)).returning();
      await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'program.token.add', target: `token:${row!.serial}`, outcome: 'success', detail: { before: null, after: auditView(row!) } });
      return ok({ serial: row!.serial }, `Token ${row!.serial} added${row!.issuedUserName ? `, issued to ${row!.issuedUserName}` : ' to stock'}.`);
    });
  } catch (error) {
    // Two admins adding the same serial at once: the primary key decides.
    if (isUniqueViolation(error)) return duplicate(input.serial);
    throw error;
  }
}

/** Saves a token's model, issue and note (re-issue: another user; return to stock: no user). */
export async function updateToken(actor: Actor, input: TokenInput): Promise<ActionResult<{ serial: string }>> {
  assertAdmin(actor);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(hardwareTokens).where(eq(hardwareTokens.serial, input.serial)).for('update');
    if (!before) return fail('NotFound', `Token ${input.serial} is no longer in the register (someone removed it). Reload the page.`);
    const [after] = await tx.update(hardwareTokens).set(toValues(input, actor)).where(eq(hardwareTokens.serial, input.serial)).returning();
    await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'program.token.update', target: `token:${input.serial}`, outcome: 'success', detail: { before: auditView(before), after: auditView(after!) } });
    return ok({ serial: input.serial }, `Token ${input.serial} saved.`);
  });
}

/** The token comes back: it is no longer issued to anyone. Its model and note stay. */
export async function returnToken(actor: Actor, serial: string): Promise<ActionResult<{ serial: string }>> {
  assertAdmin(actor);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(hardwareTokens).where(eq(hardwareTokens.serial, serial)).for('update');
    if (!before) return fail('NotFound', `Token ${serial} is no longer in the register (someone removed it). Reload the page.`);
    if (!before.issuedUserName) return ok({ serial }, `Token ${serial} is already in stock.`);
    const [after] = await tx
      .update(hardwareTokens)
      .set({ issuedAccountId: null, issuedUserName: null, issuedAt: null, updatedAt: new Date(), updatedBy: actor.id })
      .where(eq(hardwareTokens.serial, serial))
      .returning();
    await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'program.token.update', target: `token:${serial}`, outcome: 'success', detail: { before: auditView(before), after: auditView(after!) } });
    return ok({ serial }, `Token ${serial} returned to stock (it was issued to ${before.issuedUserName}).`);
  });
}

export async function removeToken(actor: Actor, serial: string): Promise<ActionResult<{ serial: string }>> {
  assertAdmin(actor);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [before] = await tx.delete(hardwareTokens).where(eq(hardwareTokens.serial, serial)).returning();
    if (!before) return fail('NotFound', `Token ${serial} is no longer in the register. Reload the page.`);
    await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'program.token.remove', target: `token:${serial}`, outcome: 'success', detail: { before: auditView(before), after: null } });
    return ok({ serial }, `Token ${serial} removed from the register.`);
  });
}

/**
 * Adds every token of a CSV text, or none: each bad line (format, or a serial already registered) is reported
 * by its line number in `csv`. One audit entry per token, in the same transaction.
 */
export async function importTokens(actor: Actor, csv: string, now = new Date()): Promise<ActionResult<{ imported: number }>> {
  assertAdmin(actor);
  const parsed = parseTokenCsv(csv, now, await managedAccountIds());
  if (!parsed.ok) return invalid({ csv: parsed.errors.map(csvErrorText) }, `Nothing was imported: fix the ${parsed.errors.length === 1 ? 'line' : `${parsed.errors.length} lines`} below and import again.`);
  const db = await getDb();
  const serials = parsed.tokens.map((t) => t.token.serial);
  const clash = (taken: Set<string>) =>
    invalid(
      { csv: parsed.tokens.filter((t) => taken.has(t.token.serial)).map((t) => `Line ${t.line}: serial: ${t.token.serial} is already in the register.`) },
      'Nothing was imported: some serials are already in the register. Remove those lines (edit the tokens in the table instead) and import again.',
    );
  try {
    return await db.transaction(async (tx) => {
      const taken = await tx.select({ serial: hardwareTokens.serial }).from(hardwareTokens).where(inArray(hardwareTokens.serial, serials));
      if (taken.length) return clash(new Set(taken.map((t) => t.serial)));
      const rows = await tx.insert(hardwareTokens).values(parsed.tokens.map((t) => toValues(t.token, actor))).returning();
      for (const row of rows) {
        await recordAudit(tx as unknown as Db, { actor: actor.id, action: 'program.token.import', target: `token:${row.serial}`, outcome: 'success', detail: { before: null, after: auditView(row) } });
      }
      const issued = rows.filter((r) => r.issuedUserName).length;
      return ok({ imported: rows.length }, `Imported ${rows.length} token${rows.length === 1 ? '' : 's'} (${issued} issued, ${rows.length - issued} in stock).`);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Someone registered one of these serials while this import ran: say which.
    const taken = await db.select({ serial: hardwareTokens.serial }).from(hardwareTokens).where(inArray(hardwareTokens.serial, serials));
    return clash(new Set(taken.map((t) => t.serial)));
  }
}

export type IssuedToken = { serial: string; model: string; issuedAt: Date | null };

/**
 * The token issued to this IAM user that the stored inventory does not show enabled anywhere yet (the latest
 * issue first), for pre-filling their hardware enrollment; null when there is none. Only the person's own IAM
 * users, or an admin's. A serial is printed on the token and is not a secret.
 */
export async function issuedTokenFor(actor: Actor, principal: Pick<Principal, 'accountId' | 'userName'>): Promise<IssuedToken | null> {
  if (!hasRole(actor.roles, 'admin') && !actor.principals.some((p) => sameUser(p, principal.accountId, principal.userName))) {
    throw new ForbiddenError('admin', "another person's hardware tokens");
  }
  const db = await getDb();
  const issued = await db
    .select()
    .from(hardwareTokens)
    .where(and(eq(hardwareTokens.issuedAccountId, principal.accountId), eq(hardwareTokens.issuedUserName, principal.userName)))
    .orderBy(sql`${hardwareTokens.issuedAt} DESC NULLS LAST`, asc(hardwareTokens.serial));
  if (issued.length === 0) return null;
  const open = classifyTokens(issued, await inventoryHardware(db, issued.map((t) => t.serial))).find((t) => t.status === 'issued');
  return open ? { serial: open.serial, model: open.model, issuedAt: open.issuedAt } : null;
}
