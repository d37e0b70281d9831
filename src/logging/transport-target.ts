/**
 * Which file pino loads in the worker thread for the CloudWatch transport.
 *
 * Compiled (`node dist/src/main.js`): `cloudwatch-transport.js` beside this file. Under tsx
 * (`npm start`, mocha) only the `.ts` source exists, and a worker cannot import it: on Node 20
 * tsx registers its ESM hooks in the main thread only, and pino starts its worker without the
 * parent's `--import` flags when the entry point is ESM. So a CommonJS shim loads the source
 * through tsx's `require` API, which works inside any thread. tsx is a dev dependency; the
 * shim is never reached from the compiled build (it is not even copied to dist/).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function cloudWatchTransportTarget(): string {
  const compiled = fileURLToPath(new URL('./cloudwatch-transport.js', import.meta.url));
  if (existsSync(compiled)) return compiled;
  return fileURLToPath(new URL('./cloudwatch-transport.dev.cjs', import.meta.url));
}
