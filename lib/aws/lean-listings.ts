import 'server-only';
import type { DeserializeHandler, DeserializeHandlerArguments, DeserializeHandlerOutput, MetadataBearer, MiddlewareStack } from '@aws-sdk/types';
import type { Tag, UserDetail, VirtualMFADevice } from '@aws-sdk/client-iam';
import { childText, childrenNamed, onlyChild, readXml, textOf, XmlReadError, type XmlElement } from './xml-reader';

/**
 * The inventory's two big IAM listings (GetAccountAuthorizationDetails with Filter User, ListVirtualMFADevices) read
 * from the raw response with our own reader (xml-reader.ts) instead of the SDK's parser, which allocates megabytes of
 * short-lived strings per 1,000-item page and let the collection's heap grow to several times its live data. A
 * deserialize-step middleware on the command takes the list's members out of the raw XML and hands the SDK the
 * document with the list emptied, so the SDK still reads IsTruncated, Marker and errors itself. The members come out
 * in the SDK's own shapes, parsed as the SDK parses them, so the mapping to our types is the one the SDK's output
 * goes through. Errors and any body the reader cannot read go to the SDK untouched, and its output is used.
 */

/** What a middleware took: the members, or undefined when the SDK's own parse is to be used. */
export type TakenMembers<T> = { members?: T[] };

type RawResponse = { statusCode?: number; body?: unknown };

export async function readBody(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * The middleware itself (exported for tests with a fake `next`): on a 200 it reads `<{operation}Result><{list}>` of
 * the raw body, fills `taken.members` with readMember of each `<member>`, and passes the SDK the body with that list
 * replaced by an empty one. Anything unexpected leaves `taken.members` undefined and the original bytes in place.
 */
export function listMembersMiddleware<T, I extends object = object, O extends MetadataBearer = MetadataBearer>(
  operation: string,
  list: string,
  readMember: (member: XmlElement) => T,
  taken: TakenMembers<T>,
) {
  return (next: DeserializeHandler<I, O>) =>
    async (args: DeserializeHandlerArguments<I>): Promise<DeserializeHandlerOutput<O>> => {
      taken.members = undefined;
      const out = await next(args);
      const response = out.response as RawResponse;
      if (response?.statusCode !== 200 || !response.body) return out;
      const bytes = await readBody(response.body);
      response.body = bytes;
      try {
        const xml = bytes.toString('utf8');
        const { members, emptied } = takeList(xml, operation, list, readMember);
        response.body = Buffer.from(emptied);
        taken.members = members;
      } catch {
        // Never fail where the SDK would not: it reads the original bytes, and its output is used.
        taken.members = undefined;
      }
      return out;
    };
}

/** Adds listMembersMiddleware to one command (each page is its own command). */
export function takeListMembers<T, I extends object, O extends MetadataBearer>(
  command: { middlewareStack: MiddlewareStack<I, O> },
  operation: string,
  list: string,
  readMember: (member: XmlElement) => T,
): TakenMembers<T> {
  const taken: TakenMembers<T> = {};
  command.middlewareStack.add(listMembersMiddleware<T, I, O>(operation, list, readMember, taken), {
    // Inside the SDK's deserializer (same step, lower priority): we see the raw HTTP response first.
    step: 'deserialize',
    priority: 'low',
    name: `lean${list}`,
  });
  return taken;
}

function takeList<T>(xml: string, operation: string, list: string, readMember: (member: XmlElement) => T): { members: T[]; emptied: string } {
  const root = readXml(xml);
  if (root.name !== `${operation}Response`) throw new XmlReadError(`a <${root.name}> answer to ${operation}`, root.start);
  const result = onlyChild(root, `${operation}Result`);
  if (!result) throw new XmlReadError(`no <${operation}Result>`, root.start);
  const listElement = onlyChild(result, list);
  if (!listElement) return { members: [], emptied: xml };
  const members = childrenNamed(listElement, 'member').map(readMember);
  return { members, emptied: xml.slice(0, listElement.start) + `<${list}/>` + xml.slice(listElement.end) };
}

/**
 * A copy of `s` that does not hold on to the page it was sliced from: V8 keeps a slice of 13 or more characters as
 * a view into its parent, and a user's ARN kept for the run would otherwise keep the whole page's XML alive.
 */
const detach = (s: string): string => (s.length < 13 ? s : (' ' + s).slice(1));
const text = (parent: XmlElement, name: string): string | undefined => {
  const value = childText(parent, name);
  return value === undefined ? undefined : detach(value);
};
const listOf = (parent: XmlElement, name: string): XmlElement[] | undefined => {
  const el = onlyChild(parent, name);
  return el && childrenNamed(el, 'member');
};

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[tT](\d\d):(\d\d):(\d\d)(\.(\d+))?(([-+]\d\d:\d\d)|[zZ])$/;

function inRange(value: string, min: number, max: number): void {
  const n = Number(value);
  if (n < min || n > max) throw new RangeError(`Value ${n} out of range [${min}, ${max}]`);
}

/** A timestamp exactly as the SDK's awsQuery deserializer parses one (RFC 3339 with offset, @smithy/core serde). */
export function parseAwsTimestamp(value: string): Date {
  const m = RFC3339.exec(value);
  if (!m) throw new TypeError(`Invalid RFC3339 timestamp format ${value}`);
  const [, year, month, day, hours, minutes, seconds, , ms, offset] = m as unknown as string[];
  inRange(month!, 1, 12);
  inRange(day!, 1, 31);
  inRange(hours!, 0, 23);
  inRange(minutes!, 0, 59);
  inRange(seconds!, 0, 60);
  const millis = Number(ms) ? Math.round(parseFloat(`0.${ms}`) * 1000) : 0;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hours), Number(minutes), Number(seconds), millis));
  date.setUTCFullYear(Number(year));
  if (offset!.toUpperCase() !== 'Z') {
    const [, sign, offsetH, offsetM] = /([+-])(\d\d):(\d\d)/.exec(offset!)!;
    const scalar = sign === '-' ? 1 : -1;
    date.setTime(date.getTime() + scalar * (Number(offsetH) * 3600_000 + Number(offsetM) * 60_000));
  }
  return date;
}

const timestamp = (parent: XmlElement, name: string): Date | undefined => {
  const value = childText(parent, name);
  return value === undefined ? undefined : parseAwsTimestamp(value);
};

/** A UserDetailList member with the fields toIamUser reads, as the SDK would have given it. */
export function readUserDetail(member: XmlElement): UserDetail {
  return {
    UserName: text(member, 'UserName'),
    Arn: text(member, 'Arn'),
    Path: text(member, 'Path'),
    CreateDate: timestamp(member, 'CreateDate'),
    GroupList: listOf(member, 'GroupList')?.map((g) => detach(textOf(g))),
    Tags: listOf(member, 'Tags')?.map((t) => ({ Key: text(t, 'Key'), Value: text(t, 'Value') }) as Tag),
  };
}

/** A VirtualMFADevices member with the fields the inventory reads (never a seed), as the SDK would have given it. */
export function readVirtualDevice(member: XmlElement): VirtualMFADevice {
  const user = onlyChild(member, 'User');
  return {
    SerialNumber: text(member, 'SerialNumber'),
    User: user && { UserName: text(user, 'UserName') } as VirtualMFADevice['User'],
    EnableDate: timestamp(member, 'EnableDate'),
  };
}
