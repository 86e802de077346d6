import { ReportInputError } from '../errors.js';
import { isObject } from './spectrum-data.js';

/** One angle distribution of a `clv --json` document: its histogram over [0°, 90°] and its sample count. */
export interface AngleHistogram {
  label: string;
  count: number;
  edges: number[];
  counts: number[];
}

/** What the CLV plots read from `clv --json`: the angle histograms and the model. */
export interface ClvData {
  units: string;
  /** Mean growth along each CLV and its standard error (empty when the document has none). */
  exponents: number[];
  stderr: number[];
  options?: Record<string, unknown>;
  unstable: number;
  /** The unstable/stable subspace angle first (when there is one), then CLV i, i+1 for each pair. */
  angles: AngleHistogram[];
  model?: Record<string, unknown>;
}

/** Whether a parsed JSON document is a `clv --json` result (it has angle distributions). */
export function isClvJson(value: unknown): value is Record<string, unknown> {
  return isObject(value) && isObject(value['angles']) && Array.isArray(value['angles']['pairs']);
}

/** The angle histograms of a `clv --json` document, checked field by field. */
export function clvFromJson(value: Record<string, unknown>, where: string): ClvData {
  const angles = value['angles'] as Record<string, unknown>;
  const histogram = (entry: unknown, label: string, field: string): AngleHistogram => {
    const histogramOf = isObject(entry) && isObject(entry['histogram']) ? entry['histogram'] : undefined;
    const edges = histogramOf?.['edges'];
    const counts = histogramOf?.['counts'];
    if (!isObject(entry) || typeof entry['count'] !== 'number' || !isNumbers(edges) || !isNumbers(counts) || edges.length !== counts.length + 1) {
      throw new ReportInputError(`${where}: '${field}' must be a distribution with count and histogram { edges, counts } (edges one longer), as clv --json writes it`);
    }
    return { label, count: entry['count'], edges, counts };
  };
  const pairs = (angles['pairs'] as unknown[]).map((pair, p) => {
    const [i, j] = isObject(pair) ? [pair['i'], pair['j']] : [];
    return histogram(isObject(pair) ? pair['degrees'] : undefined, `CLV ${String(i)}, ${String(j)}`, `angles.pairs[${p}].degrees`);
  });
  const subspace = angles['subspace'];
  const unstable = typeof angles['unstable'] === 'number' ? angles['unstable'] : 0;
  const numbers = (field: string) => (isNumbers(value[field]) ? value[field] : []);
  return {
    units: typeof value['units'] === 'string' ? value['units'] : '',
    exponents: numbers('exponents'), stderr: numbers('stderr'),
    ...(isObject(value['options']) ? { options: value['options'] } : {}),
    unstable,
    angles: [...(subspace === null || subspace === undefined ? [] : [histogram(subspace, `unstable (${unstable}) | rest`, 'angles.subspace')]), ...pairs],
    ...(isObject(value['model']) ? { model: value['model'] } : {}),
  };
}

function isNumbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((x) => typeof x === 'number');
}
