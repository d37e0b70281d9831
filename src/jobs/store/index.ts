/**
 * The job store: all job SQL. Every operation takes the database or transaction it runs on
 * and the current time (`now`, ms), so callers decide atomicity and tests decide the clock.
 */
export * from './commands.js';
export * from './enqueue.js';
export * from './heartbeat.js';
export * from './history.js';
export * from './job-json.js';
export * from './lease.js';
export * from './prune.js';
export * from './queries.js';
export * from './recover.js';
export * from './settle.js';
