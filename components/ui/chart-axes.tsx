/** The axes the portal's small SVG charts share: horizontal gridlines with their values, and the first and last date. */

const LABEL = { fontSize: '11', fill: '#475569' } as const;

/** A gridline from x1 to x2 at each value, labelled on the left of x1. */
export function YGridlines({ values, x1, x2, y }: { values: readonly number[]; x1: number; x2: number; y: (n: number) => number }) {
  return values.map((g) => (
    <g key={g}>
      <line x1={x1} x2={x2} y1={y(g)} y2={y(g)} stroke="#e2e8f0" />
      <text x={x1 - 4} y={y(g) + 4} {...LABEL} textAnchor="end">
        {g}
      </text>
    </g>
  ));
}

/** The first label at x1 and the last ending at x2, on the line at `y`. */
export function XRangeLabels({ first, last, x1, x2, y }: { first: string; last: string; x1: number; x2: number; y: number }) {
  return (
    <>
      <text x={x1} y={y} {...LABEL}>
        {first}
      </text>
      <text x={x2} y={y} {...LABEL} textAnchor="end">
        {last}
      </text>
    </>
  );
}
