/**
 * A small, strict XML reader for AWS query-protocol responses (pure, no I/O). It finds each piece with indexOf and
 * slice, never a character at a time: the SDK's own parser builds every name and text node by concatenating single
 * characters, which for a 1,000-item IAM page is megabytes of short-lived strings. Anything it does not expect
 * (mismatched or unclosed tags, text beside child elements, an unknown entity, a DOCTYPE) throws XmlReadError, so a
 * caller can hand the document to the SDK instead.
 */

export class XmlReadError extends Error {
  constructor(message: string, readonly at: number) {
    super(`${message} (at offset ${at})`);
    this.name = 'XmlReadError';
  }
}

export type XmlElement = {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /**
   * The decoded text of an element without child elements; '' for one with children. Whitespace-only text that
   * holds a line break is formatting and reads as '' (as the SDK reads it); other text is kept as it is.
   */
  text: string;
  /** Offsets of the element in the document: xml.slice(start, end) is the element, tags included. */
  start: number;
  end: number;
};

const NAME = /[^\s/>=<]+/y;
const ATTRIBUTE = /\s+([^\s/>=<]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /\s*(\/?)>/y;
const ENTITY = /&(?:#x([0-9a-fA-F]+);|#([0-9]+);|(amp|lt|gt|quot|apos);)?/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Reads a whole document and returns its root element. */
export function readXml(xml: string): XmlElement {
  const reader = new Reader(xml);
  reader.skipMisc();
  if (xml[reader.i] !== '<') throw new XmlReadError('no root element', reader.i);
  const root = reader.element();
  reader.skipMisc();
  if (reader.i < xml.length) throw new XmlReadError('content after the root element', reader.i);
  return root;
}

/** The decoded form of raw character data: the five XML entities and numeric character references. */
export function decodeText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(ENTITY, (match, hex: string | undefined, dec: string | undefined, named: string | undefined, at: number) => {
    if (named) return NAMED[named]!;
    if (hex === undefined && dec === undefined) throw new XmlReadError('an unknown entity or a bare &', at);
    const code = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
    if (!validCodePoint(code)) throw new XmlReadError(`character reference ${match} is not an XML character`, at);
    return String.fromCodePoint(code);
  });
}

function validCodePoint(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/** XML's line-end normalisation (CRLF and lone CR read as LF), applied to raw text before entities are decoded. */
const normaliseLines = (raw: string) => (raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw);

class Reader {
  i = 0;
  constructor(readonly xml: string) {}

  /** Whitespace, the XML declaration, processing instructions and comments, outside the root element. */
  skipMisc(): void {
    const { xml } = this;
    for (;;) {
      while (this.i < xml.length && ' \t\r\n'.includes(xml[this.i]!)) this.i++;
      if (xml.startsWith('<?', this.i)) this.i = this.after('?>', 'an unclosed processing instruction');
      else if (xml.startsWith('<!--', this.i)) this.i = this.after('-->', 'an unclosed comment');
      else if (xml.startsWith('<!', this.i)) throw new XmlReadError('a DOCTYPE or declaration is not read', this.i);
      else return;
    }
  }

  /** The offset just past the next `stop`. */
  after(stop: string, what: string): number {
    const at = this.xml.indexOf(stop, this.i);
    if (at < 0) throw new XmlReadError(what, this.i);
    return at + stop.length;
  }

  match(pattern: RegExp): RegExpExecArray | null {
    pattern.lastIndex = this.i;
    const m = pattern.exec(this.xml);
    if (m) this.i = pattern.lastIndex;
    return m;
  }

  /** The element whose `<` is at the current offset. */
  element(): XmlElement {
    const { xml } = this;
    const start = this.i;
    this.i++;
    const name = this.match(NAME)?.[0];
    if (!name) throw new XmlReadError('an element without a name', start);
    const attributes: Record<string, string> = {};
    for (let a = this.match(ATTRIBUTE); a; a = this.match(ATTRIBUTE)) {
      const key = a[1]!;
      if (Object.hasOwn(attributes, key)) throw new XmlReadError(`attribute ${key} repeated on <${name}>`, start);
      Object.defineProperty(attributes, key, { value: decodeText(normaliseLines(a[2] ?? a[3] ?? '')), enumerable: true });
    }
    const end = this.match(TAG_END);
    if (!end) throw new XmlReadError(`a malformed start tag <${name}>`, this.i);
    if (end[1]) return { name, attributes, children: [], text: '', start, end: this.i };

    const children: XmlElement[] = [];
    const texts: string[] = [];
    for (;;) {
      const lt = xml.indexOf('<', this.i);
      if (lt < 0) throw new XmlReadError(`<${name}> is not closed`, start);
      if (lt > this.i) texts.push(decodeText(normaliseLines(xml.slice(this.i, lt))));
      this.i = lt;
      if (xml.startsWith('</', lt)) break;
      if (xml.startsWith('<![CDATA[', lt)) {
        const close = xml.indexOf(']]>', lt + 9);
        if (close < 0) throw new XmlReadError('an unclosed CDATA section', lt);
        texts.push(normaliseLines(xml.slice(lt + 9, close)));
        this.i = close + 3;
      } else if (xml.startsWith('<!--', lt)) this.i = this.after('-->', 'an unclosed comment');
      else if (xml.startsWith('<?', lt)) this.i = this.after('?>', 'an unclosed processing instruction');
      else if (xml.startsWith('<!', lt)) throw new XmlReadError('a declaration inside an element', lt);
      else children.push(this.element());
    }
    const closeAt = this.i;
    this.i += 2;
    const closing = this.match(NAME)?.[0];
    if (closing !== name) throw new XmlReadError(`<${name}> closed by </${closing ?? ''}>`, closeAt);
    const closeEnd = this.match(TAG_END);
    if (!closeEnd || closeEnd[1]) throw new XmlReadError(`a malformed end tag </${name}>`, closeAt);

    const text = texts.length === 1 ? texts[0]! : texts.join('');
    const formatting = text.trim() === '' && (text === '' || text.includes('\n'));
    if (children.length > 0 && text.trim() !== '') throw new XmlReadError(`text beside child elements in <${name}>`, start);
    return { name, attributes, children, text: children.length > 0 || formatting ? '' : text, start, end: this.i };
  }
}

/** The child elements named `name`. */
export const childrenNamed = (parent: XmlElement, name: string): XmlElement[] => parent.children.filter((c) => c.name === name);

/** The one child named `name`, or undefined; more than one is an error (a single value was expected). */
export function onlyChild(parent: XmlElement, name: string): XmlElement | undefined {
  let found: XmlElement | undefined;
  for (const c of parent.children) {
    if (c.name !== name) continue;
    if (found) throw new XmlReadError(`<${name}> repeated in <${parent.name}>`, c.start);
    found = c;
  }
  return found;
}

/** The text of the one child named `name` (undefined when absent); an element with children is not a text value. */
export function childText(parent: XmlElement, name: string): string | undefined {
  const child = onlyChild(parent, name);
  if (!child) return undefined;
  return textOf(child);
}

/** The text of a leaf element; an element with children where text was expected is an error. */
export function textOf(element: XmlElement): string {
  if (element.children.length > 0) throw new XmlReadError(`<${element.name}> holds elements where text was expected`, element.start);
  return element.text;
}
