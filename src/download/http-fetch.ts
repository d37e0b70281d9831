/**
 * One GET, following at most `maxRedirects` redirects, each hop judged by the SSRF guard
 * before it connects (scheme and IP literals here, resolved addresses in the lookup). Resolves
 * with the first non-redirect response, whatever its status: the caller decides what a status
 * means. Times out the connect (DNS + TCP + TLS) and the wait for the response headers; the
 * body's stall watchdog belongs to the reader. The job's signal aborts every phase at once.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { VERSION } from '../version.js';
import { downloadError } from './errors.js';
import { guardSocket } from './guarded-lookup.js';
import { type AddressPolicy, checkUrl, type Verdict } from './url-policy.js';

export interface FetchSettings {
  policy: AddressPolicy;
  lookup: LookupFunction;
  connectTimeoutMs: number;
  /** Longest wait for the response headers once connected. */
  responseTimeoutMs: number;
  maxRedirects: number;
}

export interface OpenResponse {
  response: IncomingMessage;
  /** The URL that answered, after redirects. */
  url: URL;
  /** An error the request reported after the headers arrived (e.g. bytes past Content-Length). */
  lateError(): unknown;
  /** Resolves once the request and its socket are closed. */
  closed: Promise<void>;
  destroy(error?: Error): void;
}

export const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = `video-job-server/${VERSION}`;

function refusal(verdict: Exclude<Verdict, { ok: true }>): Error {
  if (verdict.code === 'bad_scheme') return downloadError.badScheme(verdict.reason);
  if (verdict.code === 'bad_url') return downloadError.badUrl(verdict.reason);
  return downloadError.refusedAddress(verdict.reason);
}

function requestOnce(
  url: URL,
  headers: OutgoingHttpHeaders,
  signal: AbortSignal,
  settings: FetchSettings,
): Promise<OpenResponse> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    // agent: false → a fresh socket per request: nothing pooled outlives the job, and every
    // connection goes through the guarded lookup.
    const req = transport.request(url, {
      method: 'GET',
      headers: { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...headers },
      agent: false,
      lookup: settings.lookup,
      signal,
    });
    let responded = false;
    let late: unknown;
    let timer: NodeJS.Timeout | undefined = setTimeout(
      () => req.destroy(downloadError.connectTimeout(settings.connectTimeoutMs)),
      settings.connectTimeoutMs,
    );
    const stopTimer = () => {
      clearTimeout(timer);
      timer = undefined;
    };
    const closed = new Promise<void>((done) => req.once('close', () => done()));

    req.once('socket', (socket) => {
      guardSocket(settings.policy, socket, url.hostname);
      const connected = () => {
        if (timer === undefined) return;
        stopTimer();
        timer = setTimeout(
          () => req.destroy(downloadError.stalled(settings.responseTimeoutMs)),
          settings.responseTimeoutMs,
        );
      };
      if (socket.connecting) socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
      else connected();
    });
    req.once('response', (response) => {
      responded = true;
      stopTimer();
      resolve({ response, url, lateError: () => late, closed, destroy: (error) => req.destroy(error) });
    });
    req.on('error', (error) => {
      stopTimer();
      if (responded) late ??= error;
      else reject(error);
    });
    req.once('close', stopTimer);
    req.end();
  });
}

/** GET `url`, following redirects; headers (Range, If-Range) are sent on every hop. */
export async function openGet(
  rawUrl: string,
  headers: OutgoingHttpHeaders,
  signal: AbortSignal,
  settings: FetchSettings,
): Promise<OpenResponse> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw downloadError.badUrl('the job URL is not a valid absolute URL');
  }
  for (let redirects = 0; ; redirects++) {
    const verdict = checkUrl(settings.policy, url);
    if (!verdict.ok) throw refusal(verdict);
    const opened = await requestOnce(url, headers, signal, settings);
    const { statusCode = 0, headers: answer } = opened.response;
    if (!REDIRECTS.has(statusCode) || answer.location === undefined) return opened;
    opened.destroy();
    if (redirects >= settings.maxRedirects) throw downloadError.tooManyRedirects(settings.maxRedirects);
    try {
      url = new URL(answer.location, url);
    } catch {
      throw downloadError.badRedirect(`HTTP ${statusCode} redirect to an invalid URL`);
    }
  }
}
