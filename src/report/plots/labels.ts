/** Labels and subtitles the plots share. */
/** A sentence for a plot's subtitle naming what was left out, or undefined when nothing was. */
export function omittedNote(count: number, what: string, why: string): string | undefined {
  if (count === 0) return undefined;
  return `${count} ${what}${count === 1 ? '' : 's'} ${why} not shown`;
}

const SUBSCRIPT_DIGITS = '₀₁₂₃₄₅₆₇₈₉';

/** λ with a subscript index, e.g. λ₁₂, the label of one exponent in legends. */
export function lambdaLabel(index: number): string {
  return `λ${String(index).replace(/\d/g, (d) => SUBSCRIPT_DIGITS[Number(d)]!)}`;
}

/** The non-empty subtitle lines of a plot. */
export function subtitle(...lines: (string | undefined)[]): string[] | undefined {
  const kept = lines.filter((line): line is string => line !== undefined && line !== '');
  return kept.length > 0 ? kept : undefined;
}

/** Legend entries λ₁, λ₂, … in index order, for the indices that occur in the plotted values. */
export function lambdaLegend(values: readonly { index: number }[]): string[] {
  return [...new Set(values.map((v) => v.index))].sort((a, b) => a - b).map(lambdaLabel);
}
