import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONTROL_CHARACTER_MESSAGE, freeText, hasControlCharacter } from './free-text';

describe('freeText', () => {
  it('refuses every C0 control character and DEL in a single-line field, with the field error', () => {
    const schema = freeText().trim().min(1);
    for (let c = 0; c < 0x20; c++) {
      const r = schema.safeParse(`lost${String.fromCharCode(c)}phone`);
      expect(r.success, `U+${c.toString(16)}`).toBe(false);
      if (!r.success) expect(r.error.issues[0]!.message).toBe(CONTROL_CHARACTER_MESSAGE);
    }
    expect(schema.safeParse('lost\u007fphone').success).toBe(false);
    // Trailing and leading ones too: trimming must not hide a NUL or a tab.
    expect(schema.safeParse('phone lost\u0000').success).toBe(false);
    expect(schema.safeParse('\tphone lost').success).toBe(false);
  });

  it('keeps ordinary text, accents and emoji', () => {
    expect(freeText().trim().parse('  Phone lost – confirmed by Zoë 📞 ')).toBe('Phone lost – confirmed by Zoë 📞');
  });

  it('allows line breaks only in multi-line fields, as \\n or the \\r\\n browsers send', () => {
    expect(hasControlCharacter('a\nb')).toBe(true);
    expect(hasControlCharacter('a\nb', { multiline: true })).toBe(false);
    expect(hasControlCharacter('a\r\nb', { multiline: true })).toBe(false);
    expect(hasControlCharacter('a\rb', { multiline: true })).toBe(true);
    expect(hasControlCharacter('a\u0000\nb', { multiline: true })).toBe(true);
    expect(hasControlCharacter('a\tb', { multiline: true })).toBe(true);
  });

  it('reports the error on the field inside an object schema', () => {
    const r = z.object({ reason: freeText().trim().min(5) }).safeParse({ reason: 'phone\u0000lost' });
    expect(r.success).toBe(false);
    if (!r.success) expect(z.flattenError(r.error).fieldErrors).toEqual({ reason: [CONTROL_CHARACTER_MESSAGE] });
  });
});
