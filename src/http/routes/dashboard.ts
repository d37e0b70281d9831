/**
 * The dashboard: a static page (HTML, CSS and browser modules, served as they are, no build
 * step) that reads and steers the queue through the JSON API, like any other client.
 *
 * It has its own router, mounted beside the API's: the OpenAPI document describes the JSON API,
 * and a test holds it to exactly the API router's routes.
 *
 * Only the files named in DASHBOARD_FILES are served, looked up by exact name, so a request can
 * never reach another path on disk. They are read once, when the router is made (a missing file
 * stops the server at start, not at the first visitor). Every answer carries a strong ETag and
 * `no-cache`: the browser revalidates (a 304, no body) and never runs a stale script against a
 * newer server. The Content-Security-Policy allows this origin only: no inline script or style,
 * no other host, so even a value that escaped escaping could not run or load anything.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Router } from '@koa/router';
import type { Context } from 'koa';

/** Every file the dashboard serves, with its content type. A new file must be listed here. */
export const DASHBOARD_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'overview.js': 'text/javascript; charset=utf-8',
  'jobs-table.js': 'text/javascript; charset=utf-8',
  'job-detail.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'";

/** The page and its assets: readable without the token, so the page can load and ask for it. */
const PUBLIC_PATHS = new Set(['/', ...Object.keys(DASHBOARD_FILES).map((name) => `/dashboard/${name}`)]);

export const isDashboardPath = (path: string): boolean => PUBLIC_PATHS.has(path);

/**
 * Under tsx the files sit beside this module's folder (src/http/dashboard). `npm run build`
 * compiles TypeScript only, so from dist/src/http/routes the source tree is the fallback: a
 * deployment ships src/http/dashboard next to dist/ (or copies it to dist/src/http/dashboard).
 */
const CANDIDATE_DIRS = ['../dashboard/', '../../../../src/http/dashboard/'];

export function dashboardDir(): string {
  for (const candidate of CANDIDATE_DIRS) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  throw new Error(`dashboard files not found (looked in ${CANDIDATE_DIRS.join(', ')} from ${import.meta.url})`);
}

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

function loadFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const [name, type] of Object.entries(DASHBOARD_FILES)) {
    const body = readFileSync(`${dir}${name}`);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    files.set(name, { body, type, etag });
  }
  return files;
}

function send(ctx: Context, file: StaticFile): void {
  ctx.set({
    'Cache-Control': 'no-cache',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  ctx.type = file.type;
  ctx.etag = file.etag;
  ctx.status = 200;
  // ctx.fresh compares If-None-Match with the ETag just set.
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.body = file.body;
}

export function dashboardRouter(dir = dashboardDir()): Router {
  const files = loadFiles(dir);
  const router = new Router();
  router.get('/', (ctx) => {
    send(ctx, files.get('index.html') as StaticFile);
  });
  router.get('/dashboard/:file', (ctx) => {
    const file = files.get(ctx.params.file ?? '');
    // Unknown names fall through to the error middleware's JSON 404.
    if (file) send(ctx, file);
  });
  return router;
}
