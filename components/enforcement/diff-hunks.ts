import type { DiffLine } from '@/lib/enforcement/diff';

/** A diff line to show, or a run of unchanged lines folded away. */
export type DiffRow = DiffLine | { kind: 'skip'; count: number };

/**
 * The changed lines with `context` unchanged lines around each, the rest folded: a one-line deadline change in
 * a hundred-line policy reads as five lines, not a hundred. Pure.
 */
export function hunks(lines: readonly DiffLine[], context = 3): DiffRow[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, i) => {
    if (l.kind === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep[j] = true;
  });
  const out: DiffRow[] = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (!keep[i]) {
      skipped++;
      return;
    }
    if (skipped) out.push({ kind: 'skip', count: skipped });
    skipped = 0;
    out.push(l);
  });
  if (skipped && out.length) out.push({ kind: 'skip', count: skipped });
  return out;
}
