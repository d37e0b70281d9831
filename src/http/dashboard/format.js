// Pure formatting for the dashboard: numbers, sizes, times and URLs as short text.
// No DOM here; every function returns a plain string that the caller puts in textContent.

export const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'rejected'];

/** Statuses an operator can act on, as the API allows (409 otherwise). */
export const canRetry = (job) => job.status === 'failed' || job.status === 'cancelled';
export const canCancel = (job) => (job.status === 'queued' || job.status === 'running') && !job.cancelRequested;

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '';
  if (Math.abs(bytes) < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 'B';
  for (const next of UNITS) {
    if (Math.abs(value) < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${unit}`;
}

export const formatCount = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '–');

/** 850 ms, 12 s, 3 min 4 s, 2 h 5 min, 3 d 4 h. */
export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  const s = Math.floor(value / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

const parseTime = (iso) => (iso ? Date.parse(iso) : Number.NaN);

/** "3 min ago" (or "in 3 min" for a time ahead), relative to `now` (ms). */
export function formatAge(iso, now) {
  const at = parseTime(iso);
  if (Number.isNaN(at)) return '';
  const delta = now - at;
  if (Math.abs(delta) < 1000) return 'just now';
  return delta >= 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(-delta)}`;
}

/** Short and coarse, for table cells: 45 s, 3 min, 2 h, 4 d. */
export function formatSpanShort(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** How long ago, short: "3 min" (used under an "Age" heading). */
export function formatAgeShort(iso, now) {
  const at = parseTime(iso);
  return Number.isNaN(at) ? '' : formatSpanShort(now - at);
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** Local time, sortable and unambiguous: 2025-06-01 14:03:27. */
export function formatTime(iso) {
  const at = parseTime(iso);
  if (Number.isNaN(at)) return '';
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** How long the job ran: to its end, or until now while it runs. */
export function jobDuration(job, now) {
  const started = parseTime(job.startedAt);
  if (Number.isNaN(started)) return undefined;
  if (job.status === 'running') return now - started;
  const finished = parseTime(job.finishedAt);
  return Number.isNaN(finished) ? undefined : finished - started;
}

export function attemptDuration(attempt, now) {
  const started = parseTime(attempt.startedAt);
  if (Number.isNaN(started)) return undefined;
  const finished = parseTime(attempt.finishedAt);
  return (Number.isNaN(finished) ? now : finished) - started;
}

/** Cuts the middle out of a long string: "abcdefgh…uvwxyz". */
export function ellipsize(text, max) {
  const value = String(text);
  if (value.length <= max) return value;
  const head = Math.ceil((max - 1) * 0.55);
  return `${value.slice(0, head)}…${value.slice(value.length - (max - 1 - head))}`;
}

/** media.example/…/clip.mp4: the host and the last path segment, at most `max` characters. */
export function shortUrl(url, max = 44) {
  if (!url) return '';
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return ellipsize(url, max);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return ellipsize(url, max);
  const segments = parsed.pathname.split('/').filter(Boolean);
  const last = segments.at(-1) ?? '';
  const path = segments.length > 1 ? `/…/${last}` : `/${last}`;
  const query = parsed.search ? '?…' : '';
  return ellipsize(`${parsed.host}${path}${query}`, max);
}

/** A URL worth making a link: http(s) only (never javascript:, data:, …). */
export function safeHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export function errorText(error) {
  if (!error) return '';
  return error.code ? `${error.code}: ${error.message ?? ''}` : String(error.message ?? '');
}

export function progressOf(job) {
  const progress = job.progress;
  if (!progress || typeof progress.bytes !== 'number') return undefined;
  const total = typeof progress.totalBytes === 'number' && progress.totalBytes > 0 ? progress.totalBytes : undefined;
  const percent = total === undefined ? undefined : Math.min(100, Math.floor((progress.bytes / total) * 100));
  const label =
    total === undefined
      ? formatBytes(progress.bytes)
      : `${percent}% · ${formatBytes(progress.bytes)} of ${formatBytes(total)}`;
  const short = total === undefined ? formatBytes(progress.bytes) : `${percent}% of ${formatBytes(total)}`;
  return { bytes: progress.bytes, total, percent, label, short };
}
