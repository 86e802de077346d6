/** The one-file HTML report of a run, a sweep or a spectrum. */
export { buildReport } from './report-html.js';
