/**
 * The name a download is stored under, from what the server said (Content-Disposition), the
 * URL path, and the content type. Pure. Everything here is attacker-controlled text, so the
 * result is a single path component: no separators, no NUL or control characters, never
 * "." or "..", no leading dot, bounded in bytes. It cannot leave the job's folder.
 */
import { dirname, resolve } from 'node:path';
import { JOB_ID_PATTERN } from '../jobs/job-request.js';
import { mediaType } from './http-headers.js';

/** ext4 and most file systems allow 255 bytes; keep room for ".part" and a margin. */
export const MAX_NAME_BYTES = 200;
export const FALLBACK_NAME = 'download';
const MAX_EXTENSION_BYTES = 16;

const EXTENSIONS: Record<string, string> = {
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
  'video/x-matroska': 'mkv',
  'video/x-msvideo': 'avi',
  'video/x-flv': 'flv',
  'video/mpeg': 'mpg',
  'video/mp2t': 'ts',
  'video/3gpp': '3gp',
  'video/ogg': 'ogv',
  'video/x-m4v': 'm4v',
  'application/vnd.apple.mpegurl': 'm3u8',
  'application/x-mpegurl': 'm3u8',
  'application/dash+xml': 'mpd',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'text/vtt': 'vtt',
  'application/x-subrip': 'srt',
  'application/zip': 'zip',
  'application/json': 'json',
};

/** Extensions of pages that served the file, not of the file ("watch.php" serving video/mp4). */
const PAGE_EXTENSIONS = new Set(['php', 'asp', 'aspx', 'jsp', 'cgi', 'pl', 'html', 'htm']);

export function extensionForType(contentType: string | undefined): string | undefined {
  const type = mediaType(contentType);
  return type === undefined ? undefined : EXTENSIONS[type];
}

/** Parameters of a header like `attachment; filename="a b.mp4"; filename*=UTF-8''a%20b.mp4`. */
function headerParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const param = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const match of header.matchAll(param)) {
    const name = (match[1] ?? '').toLowerCase();
    let value = (match[2] ?? '').trim();
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

/** RFC 8187 `charset'lang'percent-encoded` → text; undefined when undecodable. */
function decodeExtValue(value: string): string | undefined {
  const match = /^([\w!#$%&+^`{}~-]*)'[^']*'(.*)$/.exec(value);
  if (!match) return undefined;
  const charset = (match[1] ?? '').toLowerCase();
  const encoded = match[2] ?? '';
  try {
    if (charset === 'utf-8') return decodeURIComponent(encoded);
    if (charset === 'iso-8859-1') {
      return encoded.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The file name a Content-Disposition header proposes (filename* preferred), unsanitised. */
export function parseContentDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  // A leading ";" also accepts a header that omits the disposition type.
  const params = headerParams(`;${header}`);
  const extended = params.get('filename*');
  const decoded = extended === undefined ? undefined : decodeExtValue(extended);
  return decoded ?? params.get('filename') ?? undefined;
}

/** The last non-empty segment of the URL path, percent-decoded. */
export function nameFromUrl(url: URL): string | undefined {
  const segment = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .at(-1);
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

/** Shortens by whole code points (never splitting a surrogate pair) to fit `maxBytes`. */
function truncateBytes(text: string, maxBytes: number): string {
  let out = '';
  for (const char of text) {
    if (utf8Length(out) + utf8Length(char) > maxBytes) break;
    out += char;
  }
  return out;
}

function splitExtension(name: string): [stem: string, extension: string] {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || name.length - dot - 1 > MAX_EXTENSION_BYTES) return [name, ''];
  return [name.slice(0, dot), name.slice(dot + 1)];
}

// Control characters (C0, DEL, C1), bidi overrides and invisible characters that disguise names.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
const RESERVED = /[<>:"|?*]/g;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** One safe path component, or undefined when nothing usable is left. */
export function sanitizeFileName(raw: string): string | undefined {
  const lastSegment = raw.normalize('NFC').split(/[/\\]/).at(-1) ?? '';
  let name = lastSegment
    .replace(/\s+/g, ' ') // tabs and newlines become spaces before control characters go
    .replace(INVISIBLE, '')
    .replace(RESERVED, '_')
    .replace(/ {2,}/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  if (name === '') return undefined;
  if (WINDOWS_DEVICE.test(splitExtension(name)[0])) name = `_${name}`;
  if (utf8Length(name) > MAX_NAME_BYTES) {
    const [longStem, ext] = splitExtension(name);
    const suffix = ext === '' ? '' : `.${ext}`;
    name = truncateBytes(longStem, MAX_NAME_BYTES - utf8Length(suffix)).replace(/[\s.]+$/, '') + suffix;
  }
  return name === '' ? undefined : name;
}

export interface NameSources {
  contentDisposition?: string | undefined;
  url: URL;
  contentType?: string | undefined;
}

/** Content-Disposition, else the URL path, else "download"; the type's extension when none fits. */
export function chooseFileName({ contentDisposition, url, contentType }: NameSources): string {
  const candidates = [parseContentDisposition(contentDisposition), nameFromUrl(url)];
  const name =
    candidates.map((c) => (c === undefined ? undefined : sanitizeFileName(c))).find((c) => c) ?? FALLBACK_NAME;
  const typeExtension = extensionForType(contentType);
  if (typeExtension === undefined) return name;
  const [stem, extension] = splitExtension(name);
  if (extension === '') return sanitizeFileName(`${name}.${typeExtension}`) ?? name;
  if (PAGE_EXTENSIONS.has(extension.toLowerCase())) return sanitizeFileName(`${stem}.${typeExtension}`) ?? name;
  return name;
}

/** `DOWNLOAD_DIR/<jobId>`, or undefined when the id could not be a single safe component. */
export function jobFolder(downloadDir: string, jobId: string): string | undefined {
  // The API's rule, checked again here: ids also arrive from SQS and other tools.
  if (!JOB_ID_PATTERN.test(jobId)) return undefined;
  const root = resolve(downloadDir);
  const folder = resolve(root, jobId);
  return dirname(folder) === root ? folder : undefined;
}
