/**
 * Misbehaviour the media server can be told to show, per path (programmatically) or per
 * request (query string). Query values override the path's.
 *
 *   ?status=500,200        statuses in order, per distinct request URL; the last one repeats;
 *                          200 means "serve the file" (206 when a Range applies)
 *   ?retryAfter=2          Retry-After header on 429/503 answers
 *   ?redirects=3           302 hops (to the same URL with redirects-1) before the file
 *   ?redirectTo=<url>      the last hop goes there instead (redirects defaults to 1)
 *   ?stallAfter=1000       send that many body bytes, then nothing (connection kept open)
 *   ?dropAfter=1000        send that many body bytes, then close the connection
 *   ?extra=100             send that many bytes past Content-Length
 *   ?noLength=1            no Content-Length (chunked)
 *   ?rate=1048576          at most that many body bytes per second
 *   ?times=1               body faults (stall, drop, extra) hit only the first N requests
 */
import { parseByteSize } from '../config-parsers.js';

export interface Faults {
  statuses?: number[];
  retryAfter?: string;
  redirects?: number;
  redirectTo?: string;
  stallAfterBytes?: number;
  dropAfterBytes?: number;
  extraBytes?: number;
  noContentLength?: boolean;
  bytesPerSecond?: number;
  /** How many requests (per distinct request URL) the body faults hit; all when unset. */
  times?: number;
}

function size(value: string | null): number | undefined {
  return value === null ? undefined : parseByteSize(value);
}

export function faultsFromQuery(query: URLSearchParams): Faults {
  const faults: Faults = {};
  const status = query.get('status');
  if (status) faults.statuses = status.split(',').map((s) => Number(s.trim()));
  const retryAfter = query.get('retryAfter');
  if (retryAfter !== null) faults.retryAfter = retryAfter;
  const redirectTo = query.get('redirectTo');
  if (redirectTo !== null) faults.redirectTo = redirectTo;
  const numbers: Array<[string, keyof Faults]> = [
    ['redirects', 'redirects'],
    ['stallAfter', 'stallAfterBytes'],
    ['dropAfter', 'dropAfterBytes'],
    ['extra', 'extraBytes'],
    ['rate', 'bytesPerSecond'],
    ['times', 'times'],
  ];
  for (const [param, key] of numbers) {
    const value = size(query.get(param));
    if (value !== undefined) (faults as Record<string, unknown>)[key] = value;
  }
  if (query.get('noLength') !== null) faults.noContentLength = query.get('noLength') !== '0';
  return faults;
}
