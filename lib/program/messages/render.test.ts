import { describe, expect, it } from 'vitest';
import { renderHtml, renderText, templateProblems } from './render';
import { DEFAULT_TEMPLATES } from './defaults';
import { EDITABLE_KINDS, MESSAGE_CHANNELS } from './kinds';
import { PLACEHOLDERS_BY_KIND } from './placeholders';

const values = { userName: 'bob', enrollUrl: 'https://mfa.example.com/enroll?user=1/bob&x=1', portalUrl: 'javascript:alert(1)', ownerName: '<b>"O\'Neil" & co</b>' };

describe('renderText', () => {
  it('replaces each placeholder, with or without spaces inside the braces, and leaves the rest as written', () => {
    expect(renderText('Hello {{userName}}, {{ userName }}! {{ownerName}}', values)).toBe('Hello bob, bob! <b>"O\'Neil" & co</b>');
  });

  it('inserts values once: a value that looks like a placeholder is not rendered again', () => {
    expect(renderText('{{userName}}', { userName: '{{ownerName}}', ownerName: 'x' })).toBe('{{ownerName}}');
  });

  it('runs nothing: expressions and unknown names stay visible text', () => {
    expect(renderText('{{constructor}} {{userName.length}} ${userName}', values)).toBe('{{constructor}} {{userName.length}} ${userName}');
  });
});

describe('renderHtml', () => {
  it('escapes the template and every value, keeps paragraphs and line breaks', () => {
    expect(renderHtml('Dear <team>,\nowner {{ownerName}}\n\nbye', values)).toBe('<p>Dear &#60;team&#62;,<br>\nowner &#60;b&#62;&#34;O&#39;Neil&#34; &#38; co&#60;/b&#62;</p>\n<p>bye</p>');
  });

  it('links http(s) link placeholders, escaped, and shows any other scheme as text', () => {
    expect(renderHtml('{{enrollUrl}} {{portalUrl}}', values)).toBe(
      '<p><a href="https://mfa.example.com/enroll?user=1/bob&#38;x=1">https://mfa.example.com/enroll?user=1/bob&#38;x=1</a> javascript:alert(1)</p>',
    );
  });
});

describe('templateProblems', () => {
  const allowed = ['userName', 'deadline'];
  it('accepts known placeholders', () => {
    expect(templateProblems('{{userName}} by {{ deadline }}', allowed)).toEqual([]);
  });

  it('refuses unknown placeholders by name, and lists the known ones', () => {
    expect(templateProblems('{{userName}} {{secret}} {{ownerName}} {{secret}}', allowed)).toEqual([
      'Unknown placeholders {{secret}}, {{ownerName}}: use only {{userName}}, {{deadline}}.',
    ]);
  });

  it('refuses braces that are not a placeholder', () => {
    for (const bad of ['{{userName', 'x }}', '{{user name}}', '{{userName.length}}', '{{ }}']) {
      expect(templateProblems(bad, allowed), bad).toEqual([expect.stringMatching(/is not part of a placeholder/)]);
    }
  });

  it('every default template uses only the placeholders of its kind', () => {
    for (const kind of EDITABLE_KINDS) {
      for (const channel of MESSAGE_CHANNELS) {
        const t = DEFAULT_TEMPLATES[kind][channel];
        expect(templateProblems(`${t.subject}\n${t.body}`, PLACEHOLDERS_BY_KIND[kind]), `${kind}/${channel}`).toEqual([]);
      }
    }
  });
});
