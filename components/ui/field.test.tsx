import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { Field, TextAreaField } from './field';

// Every field ties its label, hint and error region to its control: a screen reader announces all three.
const attr = (html: string, tag: string, name: string) => new RegExp(`<${tag}\\b[^>]*\\b${name}="([^"]*)"`).exec(html)?.[1];

describe('labelled fields', () => {
  for (const [kind, html] of [
    ['input', renderToStaticMarkup(<Field label="Serial" name="serial" hint="On the back" errors={['Enter the serial.']} />)],
    ['textarea', renderToStaticMarkup(<TextAreaField label="What happened" name="note" hint="Where and when" errors={['Say what happened.']} />)],
  ] as const) {
    it(`a ${kind} has its label, its hint and its error region tied to it, and is marked invalid with errors`, () => {
      const id = attr(html, kind, 'id')!;
      expect(html).toContain(`<label for="${id}"`);
      expect(attr(html, kind, 'aria-describedby')).toBe(`${id}-hint ${id}-error`);
      expect(attr(html, kind, 'aria-invalid')).toBe('true');
      expect(html).toMatch(new RegExp(`id="${id}-error" aria-live="polite"[^>]*>[^<]*\\.</p>`));
    });
  }

  it('a field without errors is not marked invalid and keeps an empty error region; without a hint it describes by the error region only', () => {
    const html = renderToStaticMarkup(<TextAreaField label="Reason" name="reason" rows={5} />);
    const id = attr(html, 'textarea', 'id')!;
    expect(attr(html, 'textarea', 'aria-invalid')).toBeUndefined();
    expect(attr(html, 'textarea', 'aria-describedby')).toBe(`${id}-error`);
    expect(attr(html, 'textarea', 'rows')).toBe('5');
  });
});
