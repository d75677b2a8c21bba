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

const ATTRIBUTE = /\s+([^\s/>=<]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const GT = 0x3e;
// Where a name ends: XML whitespace, / > = <.
const NAME_STOP = new Set([0x20, 0x09, 0x0a, 0x0d, 0x2f, GT, 0x3d, 0x3c]);
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({});
const NO_CHILDREN: XmlElement[] = Object.freeze([]) as unknown as XmlElement[];
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
      this.skipSpace();
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

  /** The offset where a name starting at `from` ends. */
  nameEnd(from: number): number {
    const { xml } = this;
    let j = from;
    while (j < xml.length && !NAME_STOP.has(xml.charCodeAt(j))) j++;
    return j;
  }

  skipSpace(): void {
    while (this.i < this.xml.length && isSpace(this.xml.charCodeAt(this.i))) this.i++;
  }

  /** Whether xml[from, to) is only XML whitespace (scanned in place: most of it is the indentation of AWS's XML). */
  onlySpace(from: number, to: number): boolean {
    for (let j = from; j < to; j++) if (!isSpace(this.xml.charCodeAt(j))) return false;
    return true;
  }

  /**
   * The element whose `<` is at the current offset. Names are compared in place and leaves share one empty
   * attribute object and child array: a 1,000-user page is some 20,000 elements, so what each costs counts.
   */
  element(): XmlElement {
    const { xml } = this;
    const start = this.i;
    const nameAt = start + 1;
    this.i = this.nameEnd(nameAt);
    if (this.i === nameAt) throw new XmlReadError('an element without a name', start);
    const name = xml.slice(nameAt, this.i);
    let attributes = NO_ATTRIBUTES;
    for (let a = this.match(ATTRIBUTE); a; a = this.match(ATTRIBUTE)) {
      const key = a[1]!;
      if (attributes === NO_ATTRIBUTES) attributes = {};
      if (Object.hasOwn(attributes, key)) throw new XmlReadError(`attribute ${key} repeated on <${name}>`, start);
      Object.defineProperty(attributes, key, { value: decodeText(normaliseLines(a[2] ?? a[3] ?? '')), enumerable: true });
    }
    this.skipSpace();
    if (xml.startsWith('/>', this.i)) {
      this.i += 2;
      return { name, attributes, children: NO_CHILDREN, text: '', start, end: this.i };
    }
    if (xml.charCodeAt(this.i) !== GT) throw new XmlReadError(`a malformed start tag <${name}>`, this.i);
    this.i++;

    let children = NO_CHILDREN;
    let text = '';
    let textBesideChildren = false;
    for (;;) {
      const lt = xml.indexOf('<', this.i);
      if (lt < 0) throw new XmlReadError(`<${name}> is not closed`, start);
      if (lt > this.i) {
        // Whitespace between child elements is formatting, and is not even sliced.
        if (!this.onlySpace(this.i, lt)) textBesideChildren = true;
        else if (children !== NO_CHILDREN) {
          this.i = lt;
          continue;
        }
        text += decodeText(normaliseLines(xml.slice(this.i, lt)));
      }
      this.i = lt;
      if (xml.startsWith('</', lt)) break;
      if (xml.startsWith('<![CDATA[', lt)) {
        const close = xml.indexOf(']]>', lt + 9);
        if (close < 0) throw new XmlReadError('an unclosed CDATA section', lt);
        if (!this.onlySpace(lt + 9, close)) textBesideChildren = true;
        text += normaliseLines(xml.slice(lt + 9, close));
        this.i = close + 3;
      } else if (xml.startsWith('<!--', lt)) this.i = this.after('-->', 'an unclosed comment');
      else if (xml.startsWith('<?', lt)) this.i = this.after('?>', 'an unclosed processing instruction');
      else if (xml.startsWith('<!', lt)) throw new XmlReadError('a declaration inside an element', lt);
      else if (children === NO_CHILDREN) children = [this.element()];
      else children.push(this.element());
    }
    const closeAt = this.i;
    const closeEnd = this.nameEnd(closeAt + 2);
    if (closeEnd - closeAt - 2 !== name.length || !xml.startsWith(name, closeAt + 2))
      throw new XmlReadError(`<${name}> closed by </${xml.slice(closeAt + 2, closeEnd)}>`, closeAt);
    this.i = closeEnd;
    this.skipSpace();
    if (xml.charCodeAt(this.i) !== GT) throw new XmlReadError(`a malformed end tag </${name}>`, closeAt);
    this.i++;

    if (children !== NO_CHILDREN) {
      if (textBesideChildren) throw new XmlReadError(`text beside child elements in <${name}>`, start);
      text = '';
    } else if (text.trim() === '' && text.includes('\n')) text = '';
    return { name, attributes, children, text, start, end: this.i };
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
