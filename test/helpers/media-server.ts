/**
 * The local media server for tests (and the chaos test, the benchmark): generated content of
 * any size, Range/ETag/If-Range, a request log, fault injection. It lives in src/media/ because
 * `npm run media:local` ships it too; this is the tests' entry point to it.
 */
export { bytesOf, type ContentSpec, generate, sha256Of } from '../../src/media/content.js';
export type { Faults } from '../../src/media/faults.js';
export {
  type MediaFile,
  MediaServer,
  type MediaServerOptions,
  type RequestLogEntry,
  startMediaServer,
} from '../../src/media/media-server.js';
