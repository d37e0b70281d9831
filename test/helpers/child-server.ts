/**
 * A real server process for restart tests: the production `startServer` with the handlers a
 * test needs, configured from the environment. Prints one JSON line per scheduler event on
 * stdout so the parent can wait on them. `sleep` jobs wait `metadata.ms` (or CHILD_SLEEP_MS).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig } from '../../src/config.js';
import { defaultHandlers } from '../../src/handlers.js';
import type { JobHandler } from '../../src/jobs/handler.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/server.js';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, pretty: false });

const sleep: JobHandler = {
  async run({ job, signal }) {
    const ms = Number(process.env.CHILD_SLEEP_MS ?? job.metadata.ms ?? 0);
    await delay(ms, undefined, { signal });
    return { sleptMs: ms, pid: process.pid };
  },
};

const handlers = new Map(defaultHandlers(config, logger));
handlers.set('sleep', sleep);
const server = await startServer({ config, logger, handlers });

const emit = (event: string, fields: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
server.scheduler.on('started', (job) => emit('started', { id: job.id, attempt: job.attempts }));
server.scheduler.on('settled', ({ job, result }) => emit('settled', { id: job.id, status: result.status }));
emit('ready', { url: server.url, pid: process.pid });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
