/** The one-file HTML report of a run, a sweep or a spectrum. */
export { buildReport, runReportHtml, sweepReportHtml, spectrumReportHtml } from './report-html.js';
