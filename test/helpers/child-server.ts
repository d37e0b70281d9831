/**
 * A real server process for restart tests: the production `startServer` with the handlers a
 * test needs, configured from the environment. Prints JSON lines on stdout (`ready`,
 * `started` for each sleep job, `settled`) so the parent can wait on them. `sleep` jobs wait
 * `metadata.ms` (or CHILD_SLEEP_MS).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig } from '../../src/config.js';
import { defaultHandlers } from '../../src/handlers.js';
import type { JobHandler } from '../../src/jobs/handler.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/server.js';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, pretty: false });

const emit = (event: string, fields: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);

const sleep: JobHandler = {
  async run({ job, signal }) {
    // Emitted by the handler itself: no race with attaching scheduler listeners after start.
    emit('started', { id: job.id, attempt: job.attempts });
    const ms = Number(process.env.CHILD_SLEEP_MS ?? job.metadata.ms ?? 0);
    await delay(ms, undefined, { signal });
    return { sleptMs: ms, pid: process.pid };
  },
};

const handlers = new Map(defaultHandlers(config, logger));
handlers.set('sleep', sleep);
const server = await startServer({ config, logger, handlers });

// Attached after start: a job that settles within the first ticks could be missed; tests that
// need every settle read the database instead.
server.scheduler.on('settled', ({ job, result }) => emit('settled', { id: job.id, status: result.status }));
emit('ready', { url: server.url, pid: process.pid });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
