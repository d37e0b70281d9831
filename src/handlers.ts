/** The job types this server runs, by name. */
import type { Config } from './config.js';
import type { HandlerRegistry } from './jobs/handler.js';
import type { Logger } from './logger.js';

export function defaultHandlers(_config: Config, _logger: Logger): HandlerRegistry {
  return new Map();
}
