/**
 * Process entry: validate configuration, start the server, and turn signals into a graceful
 * stop. SIGTERM/SIGINT: stop leasing, give running jobs SHUTDOWN_GRACE_MS, exit 0. A second
 * signal exits at once (its jobs are recovered at the next start).
 */
import { ConfigError, loadConfig } from './config.js';
import { defaultHandlers } from './handlers.js';
import { createLogger } from './logger.js';
import { cloudWatchOptionsFromConfig } from './logging/cloudwatch-options.js';
import { StartupError, startServer } from './server.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${error.message}\nFix the variables above and start again (see README.md, Configuration).\n`,
      );
      process.exit(2);
    }
    throw error;
  }
  const cloudwatch = cloudWatchOptionsFromConfig(config, process.env);
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty, cloudwatch });

  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting (jobs are recovered at the next start)');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting (jobs are recovered at the next start)');
    process.exit(1);
  });

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ config, logger, handlers: defaultHandlers(config, logger) });
  } catch (error) {
    if (error instanceof StartupError) {
      logger.fatal(error.message);
      process.exit(1);
    }
    throw error;
  }

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    signalled = true;
    logger.info({ signal }, 'signal received: stopping gracefully (send it again to exit at once)');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.fatal({ err: error }, 'graceful stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

await main();
