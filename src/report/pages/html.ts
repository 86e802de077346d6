/** Small HTML building blocks for the self-contained report and the dashboard pages. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Data inlined in the page as a JSON script block, readable with
 * JSON.parse(document.getElementById(id).textContent). '<' is escaped so that no string in the
 * data can close the script element.
 */
export function jsonScript(id: string, data: unknown): string {
  const json = JSON.stringify(data, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))
    .replace(/</g, '\\u003c');
  return `<script type="application/json" id="${escapeHtml(id)}">${json}</script>`;
}

export type Cell = string | number | boolean | null | undefined;

/** A number as a table shows it: 4 significant digits, integers whole, −∞ as such. */
export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '−∞';
    return value.toPrecision(4).replace('-', '−');
  }
  return String(value);
}

export function table(headers: readonly string[], rows: readonly (readonly Cell[])[], className = ''): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((c) => `<td${typeof c === 'number' ? ' class="num"' : ''}>${escapeHtml(formatCell(c))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table${className ? ` class="${escapeHtml(className)}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Nested configuration as dotted keys and values, e.g. spectrum.k → 16. */
export function flatten(value: unknown, prefix = ''): [string, Cell][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => flatten(v, prefix ? `${prefix}.${key}` : key));
  }
  const cell: Cell = value === null || ['string', 'number', 'boolean'].includes(typeof value) ? (value as Cell) : JSON.stringify(value);
  return [[prefix || '(value)', cell]];
}

export function configTable(config: unknown): string {
  return table(['setting', 'value'], flatten(config), 'config');
}

/** A plot's SVG in a figure block; `id` lets a page swap it when new data arrive. */
export function figure(svg: string, id?: string): string {
  return `<figure class="plot"${id ? ` id="${escapeHtml(id)}"` : ''}>${svg}</figure>`;
}

const STYLE = `
body { font-family: 'DejaVu Sans', system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #111; }
h1 { font-size: 1.5rem; font-weight: normal; } h2 { font-size: 1.15rem; font-weight: normal; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; } th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #eee; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } th { border-bottom: 1px solid #999; font-weight: normal; color: #444; }
figure.plot { margin: 1rem 0; } figure.plot svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: 0.9rem; } .status { font-variant-numeric: tabular-nums; } .problem { color: #a40000; }
a { color: #1f4e79; }`;

/** A whole HTML document: inline style, no external resource. */
export function page(title: string, body: string, script = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
${script}
</body>
</html>
`;
}
