/** The live dashboard: a Fastify server over a directory of runs and sweeps. */
export { startDashboard, type StartOptions } from './server.js';
