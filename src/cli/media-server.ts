/**
 * `npm run media:local`: a local HTTP media server with generated sample files, for trying the
 * job server by hand and for chaos runs. Content is generated from a seed (nothing on disk),
 * with Range/ETag support and fault injection through the query string (see
 * src/media/faults.ts), e.g. /samples/medium.mp4?dropAfter=5MB&times=1.
 *
 *   npm run media:local -- --port 8089 --host 127.0.0.1
 *
 * The job server refuses loopback URLs unless DOWNLOAD_ALLOW_PRIVATE_NETWORKS=true.
 */
import { parseArgs } from 'node:util';
import { type MediaFile, startMediaServer } from '../media/media-server.js';

const SAMPLES: Record<string, MediaFile> = {
  '/samples/small.mp4': { size: 1024 ** 2 },
  '/samples/medium.mp4': { size: 100 * 1024 ** 2 },
  '/samples/large.mp4': { size: 1024 ** 3 },
  '/samples/clip.webm': { size: 5 * 1024 ** 2, contentType: 'video/webm' },
  '/samples/named': { size: 2 * 1024 ** 2, contentDisposition: 'attachment; filename="Named Sample.mp4"' },
  '/samples/no-validators.mp4': { size: 10 * 1024 ** 2, etag: null, lastModified: null },
};

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.MEDIA_PORT ?? '8089' },
    host: { type: 'string', default: process.env.MEDIA_HOST ?? '127.0.0.1' },
    quiet: { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port: expected an integer from 0 to 65535, got ${JSON.stringify(values.port)}\n`);
  process.exit(2);
}

const media = await startMediaServer({ host: values.host, port, files: SAMPLES });
process.stdout.write(`media server listening on ${media.url}\n`);
for (const [path, file] of Object.entries(SAMPLES)) {
  process.stdout.write(`  ${media.urlFor(path)}  (${file.size} bytes)\n`);
}
process.stdout.write(
  `  ${media.urlFor('/generated/250MB.mp4')}  (any size: /generated/<size>[.mp4|.webm|.bin])\n` +
    'faults: ?status=500,200 ?retryAfter=5 ?redirects=3 ?redirectTo=<url> ?stallAfter=1MB ?dropAfter=1MB ' +
    '?extra=100 ?noLength=1 ?rate=1MB ?times=1\n',
);
if (!values.quiet) {
  media.on('finish', (entry) => {
    const range = entry.range ? ` ${entry.range}` : '';
    const end = entry.completed ? '' : ' (cut off)';
    process.stdout.write(`${entry.method} ${entry.url}${range} → ${entry.status}, ${entry.bytesSent} bytes${end}\n`);
  });
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    void media.close().then(() => process.exit(0));
  });
}
