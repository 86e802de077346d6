/**
 * Plots, the HTML report and the live dashboard, in four rooms: data (what is read from runs,
 * sweeps and JSON), plots, pages (the report) and dashboard. A command that needs one room
 * imports that room's index, so it does not load the others' dependencies (Fastify) at start-up.
 */
export * from './data/index.js';
export * from './plots/index.js';
export * from './pages/index.js';
export * from './dashboard/index.js';
export { ReportInputError } from './errors.js';
