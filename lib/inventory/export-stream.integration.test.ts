import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '@/test-support/stack';
import { getDb } from '@/lib/db/client';
import { inventoryUsers } from '@/lib/db/schema';
import type { Actor } from '@/lib/auth/types';
import { userArn } from '@/lib/iam-identifiers';
import { classify, type UserFacts } from './classify';
import { csvHeader, inventoryExportStream, toCsvLine, toJsonRecord } from './export';
import { allInventoryUsers } from './queries';
import { toRow } from './store';

// The inventory export reads its pages from the database on demand: the real paged query (two rows a page) behind
// the stream, observed by counting the pages it is asked for.
const A = '111111111111';
const admin: Actor = { id: 'dave@example.com', email: 'dave@example.com', name: 'Dave', method: 'oidc', roles: ['member', 'admin'], principals: [], authTime: 0 };
const prefix = `xport-${randomBytes(4).toString('hex')}-`;
const filters = { q: prefix };
const USERS = 7;
const PAGE = 2;

const facts = (userName: string): UserFacts => ({
  accountId: A, userName, arn: userArn(A, userName), path: '/', createdAt: new Date('2025-01-02T03:04:05Z'), tags: { Team: 'a, "quoted" team' }, groups: ['admins'],
  consoleAccess: true, passwordLastUsed: null, accessKeyLastUsed: null, devices: [], leftoverDevices: [],
});

/** The paged query, counting the pages asked of it, the pages it returned, and whether it was closed. */
function observed() {
  const source = allInventoryUsers(admin, filters, PAGE);
  const seen = { requested: 0, read: 0, closed: false, inFlight: undefined as Promise<unknown> | undefined };
  async function* pages() {
    try {
      for (;;) {
        seen.requested++;
        const next = source.next();
        seen.inFlight = next;
        const page = await next;
        seen.inFlight = undefined;
        if (page.done) return;
        seen.read++;
        yield page.value;
      }
    } finally {
      seen.closed = true;
      await source.return(undefined);
    }
  }
  /** Until no page is being read, across event-loop turns: a reader running ahead would have asked for the next one. */
  const settled = async () => {
    for (let turns = 0; turns < 100; turns++) {
      if (seen.inFlight) await seen.inFlight.catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      if (!seen.inFlight) return;
    }
  };
  return { pages: pages(), seen, settled };
}

const text = async (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

beforeAll(async () => {
  await useLocalStack();
  const db = await getDb();
  await db.insert(inventoryUsers).values(Array.from({ length: USERS }, (_, i) => toRow(classify(facts(`${prefix}${i}`)), 'portal', null, new Date())));
});

describe('inventory export stream', () => {
  it('downloads every page, byte for byte what the export wrote when it read every page up front (CSV and JSON)', async () => {
    const rows = [];
    for await (const page of allInventoryUsers(admin, filters, 1000)) rows.push(...page);
    expect(rows).toHaveLength(USERS);

    const csv = observed();
    expect(await text(inventoryExportStream(csv.pages, 'csv'))).toBe(`${csvHeader()}\r\n${rows.map((r) => `${toCsvLine(r)}\r\n`).join('')}`);
    // 7 rows, 2 a page: four pages; the last one is short, so the fifth ask ends the query without reading.
    expect(csv.seen).toMatchObject({ read: 4, requested: 5 });

    const json = observed();
    expect(await text(inventoryExportStream(json.pages, 'json'))).toBe(`[\n${rows.map((r) => JSON.stringify(toJsonRecord(r))).join(',\n')}\n]\n`);
    expect(JSON.parse(await text(inventoryExportStream(observed().pages, 'json')))).toHaveLength(USERS);
  });

  it('reads a page only when the consumer asks, and nothing more once the download is cancelled', async () => {
    const { pages, seen, settled } = observed();
    const reader = inventoryExportStream(pages, 'csv').getReader();
    await settled();
    // The header is written before any read: nothing asked for yet.
    expect(seen.requested).toBe(0);

    expect(new TextDecoder().decode((await reader.read()).value)).toBe(`${csvHeader()}\r\n`);
    await settled();
    // The header was taken: one page is read ahead into the stream's queue, and no more while it waits there.
    expect(seen.requested).toBe(1);

    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first.split('\r\n').filter(Boolean)).toHaveLength(PAGE);
    await settled();
    expect(seen.requested).toBe(2);

    await reader.cancel();
    await settled();
    expect(seen.closed).toBe(true);
    expect(seen).toMatchObject({ requested: 2, read: 2 });
  });
});
