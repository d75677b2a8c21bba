import { describe, expect, it } from 'vitest';
import { childText, childrenNamed, decodeText, onlyChild, readXml, textOf, XmlReadError, type XmlElement } from './xml-reader';

// As AWS writes it: declaration, namespace on the root, two-space indentation, CRLF line ends.
const PRETTY = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<ListVirtualMFADevicesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">',
  '  <ListVirtualMFADevicesResult>',
  '    <IsTruncated>false</IsTruncated>',
  '    <VirtualMFADevices>',
  '      <member>',
  '        <SerialNumber>arn:aws:iam::123456789012:mfa/ana</SerialNumber>',
  '        <User>',
  '          <UserName>ana</UserName>',
  '        </User>',
  '      </member>',
  '      <member>',
  '        <SerialNumber>arn:aws:iam::123456789012:mfa/left-over</SerialNumber>',
  '      </member>',
  '    </VirtualMFADevices>',
  '  </ListVirtualMFADevicesResult>',
  '  <ResponseMetadata>',
  '    <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>',
  '  </ResponseMetadata>',
  '</ListVirtualMFADevicesResponse>',
  '',
].join('\r\n');

const names = (el: XmlElement) => el.children.map((c) => c.name);

describe('readXml', () => {
  it('reads pretty-printed AWS XML: attributes on the root, formatting whitespace ignored, members in order', () => {
    const root = readXml(PRETTY);
    expect(root.name).toBe('ListVirtualMFADevicesResponse');
    expect(root.attributes).toEqual({ xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/' });
    expect(names(root)).toEqual(['ListVirtualMFADevicesResult', 'ResponseMetadata']);
    const result = onlyChild(root, 'ListVirtualMFADevicesResult')!;
    expect(childText(result, 'IsTruncated')).toBe('false');
    const members = childrenNamed(onlyChild(result, 'VirtualMFADevices')!, 'member');
    expect(members.map((m) => childText(m, 'SerialNumber'))).toEqual(['arn:aws:iam::123456789012:mfa/ana', 'arn:aws:iam::123456789012:mfa/left-over']);
    expect(childText(onlyChild(members[0]!, 'User')!, 'UserName')).toBe('ana');
    expect(onlyChild(members[1]!, 'User')).toBeUndefined();
  });

  it('gives offsets that slice out exactly the element, tags included', () => {
    const xml = '<a><b x="1">t</b><c/></a>';
    const [b, c] = readXml(xml).children;
    expect(xml.slice(b!.start, b!.end)).toBe('<b x="1">t</b>');
    expect(xml.slice(c!.start, c!.end)).toBe('<c/>');
  });

  it('reads the same document written compactly, as moto writes it', () => {
    const compact = PRETTY.replace(/\r\n\s*/g, '');
    const strip = (el: XmlElement): unknown => ({ name: el.name, attributes: el.attributes, text: el.text, children: el.children.map(strip) });
    expect(strip(readXml(compact))).toEqual(strip(readXml(PRETTY)));
  });

  it('decodes the five entities and decimal and hexadecimal character references, in text and attributes', () => {
    const root = readXml('<r q="&quot;&#65;&#x42;"><v>&amp;&lt;&gt;&quot;&apos; caf&#233; &#x1F511; &#x41;</v></r>');
    expect(root.attributes.q).toBe('"AB');
    expect(childText(root, 'v')).toBe('&<>"\' café 🔑 A');
  });

  it('keeps non-ASCII text and a literal > as written', () => {
    expect(childText(readXml('<r><v>Zoë → 東京 a>b</v></r>'), 'v')).toBe('Zoë → 東京 a>b');
  });

  it('reads CDATA as literal text, joined with the text around it', () => {
    expect(childText(readXml('<r><v>a &amp; <![CDATA[<b> &amp; ]]>c</v></r>'), 'v')).toBe('a & <b> &amp; c');
  });

  it('reads self-closing and empty elements as empty text with no children', () => {
    const root = readXml('<r><Tags/><Path></Path><GroupList />\n</r>');
    expect(names(root)).toEqual(['Tags', 'Path', 'GroupList']);
    for (const child of root.children) expect([child.text, child.children.length]).toEqual(['', 0]);
    expect(childrenNamed(onlyChild(root, 'Tags')!, 'member')).toEqual([]);
  });

  it('reads whitespace-only text with a line break as empty, other text as it is', () => {
    const root = readXml('<r><a>\n   </a><b>  </b><c> x </c></r>');
    expect([childText(root, 'a'), childText(root, 'b'), childText(root, 'c')]).toEqual(['', '  ', ' x ']);
  });

  it('skips comments and processing instructions', () => {
    expect(childText(readXml('<!-- c --><r><!-- inner --><v>1<!-- x -->2</v><?pi x?></r><!-- after -->'), 'v')).toBe('12');
  });

  it('accepts whitespace inside an end tag', () => {
    expect(childText(readXml('<r><v>1</v  ></r >'), 'v')).toBe('1');
  });

  it.each([
    ['a mismatched end tag', '<r><a>1</b></r>', /<a> closed by <\/b>/],
    ['an unclosed element', '<r><a>1</a>', /<r> is not closed/],
    ['an unclosed start tag', '<r><a', /malformed start tag/],
    ['a bare ampersand', '<r>a & b</r>', /unknown entity or a bare &/],
    ['an unknown entity', '<r>&nbsp;</r>', /unknown entity/],
    ['a reference to a non-character', '<r>&#0;</r>', /not an XML character/],
    ['an unclosed CDATA section', '<r><![CDATA[x</r>', /unclosed CDATA/],
    ['text before child elements', '<r>text<a/></r>', /text beside child elements/],
    ['text after child elements', '<r>\n  <a/>\n  text\n</r>', /text beside child elements/],
    ['CDATA beside child elements', '<r><a/><![CDATA[x]]></r>', /text beside child elements/],
    ['an end tag that only starts with the name', '<r><ab>1</a></r>', /<ab> closed by <\/a>/],
    ['content after the root', '<r/><s/>', /after the root/],
    ['no root element', '   ', /no root element/],
    ['a DOCTYPE', '<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>', /DOCTYPE/],
    ['an attribute without quotes', '<r a=1/>', /malformed start tag/],
    ['a repeated attribute', '<r a="1" a="2"/>', /repeated/],
    ['a self-closing end tag', '<r></r/>', /malformed end tag/],
  ])('throws XmlReadError on %s', (_, xml, message) => {
    expect(() => readXml(xml)).toThrow(XmlReadError);
    expect(() => readXml(xml)).toThrow(message);
  });

  it('throws when one value is expected and the element repeats, or holds elements', () => {
    const root = readXml('<r><v>1</v><v>2</v><s><t/></s></r>');
    expect(() => childText(root, 'v')).toThrow(/<v> repeated in <r>/);
    expect(() => textOf(onlyChild(root, 's')!)).toThrow(/holds elements/);
  });
});

describe('decodeText', () => {
  it('returns text without references unchanged', () => {
    expect(decodeText('plain text')).toBe('plain text');
  });
  it('decodes adjacent references', () => {
    expect(decodeText('&lt;&lt;&#38;&#x26;')).toBe('<<&&');
  });
});
