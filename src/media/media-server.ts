/**
 * A local HTTP media server for tests, the benchmark, chaos runs and `npm run media:local`.
 * Serves generated, deterministic content of any size (see content.ts) with Range,
 * ETag, Last-Modified and If-Range, logs every request (method, URL, Range header, status,
 * bytes sent so far), and misbehaves on request (see faults.ts).
 *
 *   const media = await startMediaServer();                 // 127.0.0.1, a free port
 *   media.file('/clip.mp4', { size: 5_000_000 });           // or GET /generated/5MB.mp4
 *   media.urlFor('/clip.mp4', { dropAfter: 1000, times: 1 })
 *   media.sha256('/clip.mp4'); media.requests; await media.close();
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseByteSize } from '../config-parsers.js';
import { type ContentSpec, generate, sha256Of } from './content.js';
import { type Faults, faultsFromQuery } from './faults.js';
import { ifRangeHolds, parseRangeHeader } from './range.js';
import { sendBody } from './send-body.js';

export type { Faults } from './faults.js';

export interface MediaFile {
  size: number;
  /** Content seed; defaults to the path. Change it to "change the file" (new ETag too). */
  seed?: string;
  contentType?: string;
  /** A strong ETag like `"abc"`; null sends none. Defaults to one derived from seed and size. */
  etag?: string | null;
  /** Null sends none. Defaults to a fixed date. */
  lastModified?: Date | null;
  contentDisposition?: string;
  /** False ignores Range headers (always 200). */
  acceptRanges?: boolean;
}

export interface RequestLogEntry {
  method: string;
  /** Path and query, as requested. */
  url: string;
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  status: number;
  /** Body bytes written so far (updated live while the response streams). */
  bytesSent: number;
  /** True once the response ended normally; false while streaming or when cut off. */
  completed: boolean;
  /** True once the connection for this response closed (normally or not). */
  closed: boolean;
  at: number;
}

interface Served {
  spec: ContentSpec;
  file: MediaFile;
  faults: Faults;
}

const TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  bin: 'application/octet-stream',
};
const FIXED_DATE = new Date(Date.UTC(2024, 0, 1));

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class MediaServer extends EventEmitter<{ request: [RequestLogEntry]; finish: [RequestLogEntry] }> {
  readonly requests: RequestLogEntry[] = [];
  /** TCP connections accepted: proves a refused URL never connected. */
  connections = 0;
  private readonly files = new Map<string, Served>();
  private readonly seen = new Map<string, number>();
  private readonly bodies = new Map<string, number>();

  constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    super();
    server.on('connection', () => this.connections++);
    server.on('request', (req, res) => void this.handle(req, res));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Registers (or replaces) a generated file at `path`, with faults that always apply there. */
  file(path: string, file: MediaFile, faults: Faults = {}): string {
    this.files.set(path, { spec: { size: file.size, seed: file.seed ?? path }, file, faults });
    return this.urlFor(path);
  }

  urlFor(path: string, query: Record<string, string | number | boolean> = {}): string {
    const url = new URL(path, this.url);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    return url.href;
  }

  /** The generated content behind a path (registered or /generated/...). */
  content(path: string): ContentSpec {
    const served = this.lookup(path);
    if (!served) throw new Error(`media server: nothing at ${path}`);
    return served.spec;
  }

  sha256(path: string): string {
    return sha256Of(this.content(path));
  }

  etagOf(path: string): string | null {
    const served = this.lookup(path);
    return served ? this.etag(served) : null;
  }

  /** Forgets the request log and the per-URL counters (status sequences, `times`). */
  reset(): void {
    this.requests.length = 0;
    this.seen.clear();
    this.bodies.clear();
    this.connections = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private lookup(path: string): Served | undefined {
    const registered = this.files.get(path);
    if (registered) return registered;
    const match = /^\/generated\/([0-9.]+[a-zA-Z]*?)(?:\.([a-z0-9]+))?$/.exec(path);
    const size = match ? parseByteSize(match[1] ?? '') : undefined;
    if (!match || size === undefined) return undefined;
    const contentType = TYPES[match[2] ?? 'bin'] ?? 'application/octet-stream';
    return { spec: { size, seed: path }, file: { size, contentType }, faults: {} };
  }

  private etag(served: Served): string | null {
    if (served.file.etag !== undefined) return served.file.etag;
    return `"${Buffer.from(`${served.spec.seed}:${served.spec.size}`).toString('base64url')}"`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      url: `${url.pathname}${url.search}`,
      path: url.pathname,
      range: req.headers.range,
      ifRange: headerOf(req, 'if-range'),
      status: 0,
      bytesSent: 0,
      completed: false,
      closed: false,
      at: Date.now(),
    };
    this.requests.push(entry);
    res.on('close', () => {
      entry.completed = res.writableFinished;
      entry.closed = true;
      this.emit('finish', entry);
    });
    this.emit('request', entry);

    const served = this.lookup(url.pathname);
    if (!served) return this.answer(res, entry, 404);
    const faults: Faults = { ...served.faults, ...faultsFromQuery(url.searchParams) };
    const seen = this.seen.get(entry.url) ?? 0;
    this.seen.set(entry.url, seen + 1);

    const hops = faults.redirects ?? (faults.redirectTo === undefined ? 0 : 1);
    if (hops > 0) {
      const next = new URL(url);
      if (hops > 1) next.searchParams.set('redirects', String(hops - 1));
      else next.searchParams.delete('redirects');
      const location =
        hops === 1 && faults.redirectTo !== undefined ? faults.redirectTo : `${next.pathname}${next.search}`;
      res.setHeader('location', location);
      return this.answer(res, entry, 302);
    }
    const statuses = faults.statuses ?? [];
    const status = statuses[Math.min(seen, statuses.length - 1)] ?? 200;
    if (status !== 200 && status !== 206) {
      if (faults.retryAfter !== undefined && (status === 429 || status === 503))
        res.setHeader('retry-after', faults.retryAfter);
      return this.answer(res, entry, status);
    }
    const bodies = this.bodies.get(entry.url) ?? 0;
    this.bodies.set(entry.url, bodies + 1);
    const faulty = faults.times === undefined || bodies < faults.times;
    await this.serve(req, res, entry, served, faulty ? faults : {});
  }

  private answer(res: ServerResponse, entry: RequestLogEntry, status: number): void {
    entry.status = status;
    res.statusCode = status;
    res.setHeader('content-type', 'text/plain');
    res.end(`${status}\n`);
    entry.completed = true;
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    entry: RequestLogEntry,
    served: Served,
    faults: Faults,
  ) {
    const { spec, file } = served;
    const etag = this.etag(served);
    const lastModified = file.lastModified === null ? null : (file.lastModified ?? FIXED_DATE).toUTCString();
    res.setHeader('content-type', file.contentType ?? 'video/mp4');
    if (file.acceptRanges !== false) res.setHeader('accept-ranges', 'bytes');
    if (etag) res.setHeader('etag', etag);
    if (lastModified) res.setHeader('last-modified', lastModified);
    if (file.contentDisposition) res.setHeader('content-disposition', file.contentDisposition);

    let start = 0;
    let end = spec.size - 1;
    entry.status = 200;
    if (file.acceptRanges !== false && ifRangeHolds(headerOf(req, 'if-range'), etag, lastModified)) {
      const range = parseRangeHeader(req.headers.range, spec.size);
      if (range.kind === 'unsatisfiable') {
        res.setHeader('content-range', `bytes */${spec.size}`);
        return this.answer(res, entry, 416);
      }
      if (range.kind === 'partial') {
        ({ start, end } = range);
        entry.status = 206;
        res.setHeader('content-range', `bytes ${start}-${end}/${spec.size}`);
      }
    }
    res.statusCode = entry.status;
    if (!faults.noContentLength) res.setHeader('content-length', end - start + 1);
    if (req.method === 'HEAD') return void res.end();
    await sendBody(res, generate(spec, start, end + 1), faults, entry);
  }
}

export interface MediaServerOptions {
  host?: string;
  port?: number;
  files?: Record<string, MediaFile>;
}

export async function startMediaServer({ host = '127.0.0.1', port = 0, files = {} }: MediaServerOptions = {}) {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const media = new MediaServer(server, `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
  for (const [path, file] of Object.entries(files)) media.file(path, file);
  return media;
}
