/** Pure readers for the response headers a download depends on. */

type HeaderValue = string | string[] | undefined;

function single(value: HeaderValue): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined ? undefined : text.trim();
}

/** A non-negative integer byte count, or undefined when absent or malformed. */
export function parseContentLength(value: HeaderValue): number | undefined {
  const text = single(value);
  if (text === undefined || !/^\d{1,16}$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

export interface ContentRange {
  start: number;
  end: number;
  /** Full size of the resource; null for "bytes a-b/*". */
  total: number | null;
}

/** "bytes 100-199/1000" → {start:100, end:199, total:1000}; undefined when malformed or "*\/n". */
export function parseContentRange(value: HeaderValue): ContentRange | undefined {
  const match = /^bytes\s+(\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)$/i.exec(single(value) ?? '');
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  const total = match[3] === '*' ? null : Number(match[3]);
  if (end < start || (total !== null && end >= total)) return undefined;
  return { start, end, total };
}

/** "bytes *\/1000" (a 416's answer) → 1000. */
export function parseUnsatisfiedRange(value: HeaderValue): number | undefined {
  const match = /^bytes\s+\*\/(\d{1,16})$/i.exec(single(value) ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Retry-After as delta-seconds or an HTTP date → milliseconds from `now`; undefined when unusable. */
export function parseRetryAfter(value: HeaderValue, now: number): number | undefined {
  const text = single(value);
  if (text === undefined || text === '') return undefined;
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its month; V8 would also "parse" strings like "-5" as years.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** "Video/MP4; charset=x" → "video/mp4"; undefined when absent or not type/subtype. */
export function mediaType(value: HeaderValue): string | undefined {
  const type = single(value)?.split(';')[0]?.trim().toLowerCase();
  return type && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : undefined;
}

/** A validator usable in If-Range: a strong ETag (weak ones are not allowed there). */
export function strongEtag(value: HeaderValue): string | undefined {
  const text = single(value);
  return text && /^"[^"]*"$/.test(text) ? text : undefined;
}

export function headerText(value: HeaderValue): string | undefined {
  const text = single(value);
  return text === '' ? undefined : text;
}
