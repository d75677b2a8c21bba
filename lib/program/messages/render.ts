/**
 * The template renderer: `{{name}}` is replaced by the value of a known placeholder, and nothing else happens. No
 * expressions, no loops, no code: a template is text with holes. Values are inserted once (a value that itself
 * looks like `{{x}}` stays as it is); in HTML every character of the template and the values is escaped, and link
 * placeholders become links. Pure: the sender, the test send and the editor's live preview share it.
 */
import { LINK_PLACEHOLDERS } from './placeholders';

const TOKEN = /\{\{[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*\}\}/g;

/** Why a template cannot be saved, in words for the person editing it; empty when it can. */
export function templateProblems(source: string, allowed: readonly string[]): string[] {
  const problems: string[] = [];
  const known = new Set(allowed);
  const unknown = new Set<string>();
  for (const m of source.matchAll(TOKEN)) if (!known.has(m[1]!)) unknown.add(m[1]!);
  if (unknown.size > 0) {
    const names = [...unknown].map((n) => `{{${n}}}`).join(', ');
    problems.push(`Unknown placeholder${unknown.size === 1 ? '' : 's'} ${names}: use only ${allowed.map((n) => `{{${n}}}`).join(', ')}.`);
  }
  const rest = source.replace(TOKEN, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('A “{{” or “}}” is not part of a placeholder: write placeholders as {{name}}, with letters and digits only.');
  return problems;
}

/** Plain text: placeholders replaced by their values; an unknown one (never saved, but say so rather than guess) stays visible. */
export function renderText(source: string, values: Readonly<Record<string, string>>): string {
  return source.replace(TOKEN, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * HTML from a plain-text template: paragraphs at blank lines, line breaks kept, everything escaped; link
 * placeholders become `<a href>` (only http(s) values: anything else is shown as text).
 */
export function renderHtml(source: string, values: Readonly<Record<string, string>>): string {
  const inline = (text: string) => {
    let out = '';
    let last = 0;
    for (const m of text.matchAll(TOKEN)) {
      out += escapeHtml(text.slice(last, m.index));
      last = m.index + m[0].length;
      const name = m[1]!;
      if (!Object.hasOwn(values, name)) {
        out += escapeHtml(m[0]);
        continue;
      }
      const value = values[name]!;
      out += LINK_PLACEHOLDERS.has(name) && /^https?:\/\//i.test(value) ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>` : escapeHtml(value);
    }
    return out + escapeHtml(text.slice(last));
  };
  return source
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${p.split('\n').map(inline).join('<br>\n')}</p>`)
    .join('\n');
}
