/** The job types this server runs, by name. */
import type { Config } from './config.js';
import { createDownloadHandler } from './download/download-handler.js';
import type { HandlerRegistry } from './jobs/handler.js';
import type { Logger } from './logger.js';

export function defaultHandlers(config: Config, _logger: Logger): HandlerRegistry {
  return new Map([['download', createDownloadHandler({ config: config.download })]]);
}
