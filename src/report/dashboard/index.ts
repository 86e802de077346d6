/** The live dashboard: a Fastify server over a directory of runs and sweeps. */
export { startDashboard, createDashboard, type DashboardOptions, type StartOptions } from './server.js';
